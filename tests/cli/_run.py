"""Running the real ``tether`` console script in subprocesses: piped, on a pseudo-terminal,
or several at once (each start costs about half a second, so independent runs overlap)."""

from __future__ import annotations

import os
import pty
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TETHER = Path(sys.executable).with_name("tether")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    # Colour settings of the machine running the tests must not decide what is printed.
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "COLUMNS": "200", **(extra or {})}


def command(*args: str) -> list[str]:
    assert TETHER.exists(), "the tether console script is not installed beside python"
    return [str(TETHER), *args]


def start(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None
          ) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command(*args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=_env(env), cwd=cwd,
    )


def finish(process: subprocess.Popen[bytes], timeout: float = 60) -> Run:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"tether did not finish in {timeout}s: {err.decode()}") from None
    return Run(process.returncode, out.decode("utf-8", "replace"),
               err.decode("utf-8", "replace"))


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 60) -> Run:
    return finish(start(*args, env=env, cwd=cwd), timeout)


def run_all(*commands: list[str], env: dict[str, str] | None = None) -> list[Run]:
    """Start every command at once, then collect them in order."""
    processes = [start(*args, env=env) for args in commands]
    return [finish(p) for p in processes]


def run_tty(*args: str, stdout_tty: bool = True, stderr_tty: bool = False,
            env: dict[str, str] | None = None, timeout: float = 60) -> Run:
    """Run with stdout and/or stderr on a pseudo-terminal, as in an interactive shell."""
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    process = subprocess.Popen(
        command(*args), stdin=subprocess.DEVNULL,
        stdout=slave if stdout_tty else subprocess.PIPE,
        stderr=slave if stderr_tty else subprocess.PIPE,
        env=_env({"TERM": "xterm-256color"} | (env or {})),
    )
    os.close(slave)
    streams = {"out": b"", "err": b""}
    selector = selectors.DefaultSelector()
    selector.register(master, selectors.EVENT_READ, "out" if stdout_tty else "err")
    if not stdout_tty:
        assert process.stdout is not None
        selector.register(process.stdout, selectors.EVENT_READ, "out")
    if not stderr_tty:
        assert process.stderr is not None
        selector.register(process.stderr, selectors.EVENT_READ, "err")
    deadline = time.monotonic() + timeout
    open_count = len(selector.get_map())
    while open_count and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.2):
            fd = key.fd
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                continue
            except OSError:  # EIO: the terminal's other side closed
                data = b""
            if not data:
                selector.unregister(key.fileobj)
                open_count -= 1
                continue
            streams[key.data] += data
    selector.close()
    os.close(master)
    try:
        code = process.wait(timeout=max(deadline - time.monotonic(), 1))
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"tether did not finish in {timeout}s") from None
    return Run(code, streams["out"].decode("utf-8", "replace"),
               streams["err"].decode("utf-8", "replace"))
