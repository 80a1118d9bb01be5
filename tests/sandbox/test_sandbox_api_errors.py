"""The Python side of the sandbox (config, serve_in_thread, fixture helpers) refuses bad
arguments at once, saying what it expected, instead of failing later or doing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.sandbox import (
    FaultConfigError,
    Rate,
    SandboxConfig,
    SandboxServer,
    serve_in_thread,
)
from tether.sandbox._state import SandboxState


def test_db_takes_a_path_object_and_refuses_other_types(tmp_path: Path) -> None:
    assert SandboxConfig(db=tmp_path / "x.db").db == str(tmp_path / "x.db")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"SandboxConfig\.db must be a file path"):
        SandboxConfig(db=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("faults", ["oops", {"kind": "reset"}])
def test_faults_must_be_a_list_of_rules(faults: object) -> None:
    # A string or a lone dict used to be walked character by character, key by key.
    with pytest.raises(FaultConfigError, match="expected a list of rules"):
        SandboxConfig(faults=faults)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"port": 99999}, ValueError),
    ({"port": -1}, ValueError),
    ({"host": ""}, ValueError),  # would listen on every interface
    ({"host": "  "}, ValueError),
    ({"config": {"seed": 1}}, TypeError),
])
def test_serve_in_thread_checks_its_arguments(kwargs: dict[str, object],
                                              error: type[Exception]) -> None:
    with pytest.raises(error, match="serve_in_thread"), serve_in_thread(**kwargs):  # type: ignore[arg-type]
        pass


def test_set_limits_takes_one_list_as_config_does(sandbox: SandboxServer) -> None:
    sandbox.set_limits(["5/s", "1000/h"])
    assert sandbox.state.disruption.limits.rates == (Rate(5, 1), Rate(1000, 3600))
    with sandbox.limits(["2/s"]):
        assert sandbox.state.disruption.limits.rates == (Rate(2, 1),)
    assert sandbox.state.disruption.limits.rates == (Rate(5, 1), Rate(1000, 3600))


def test_fixture_helpers_refuse_a_seed_that_is_not_an_int(sandbox: SandboxServer) -> None:
    with pytest.raises(FaultConfigError, match=r"set_faults\(seed=...\) must be an int"):
        sandbox.set_faults(kind="status", seed="7")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"reset\(seed=...\) must be an int"):
        sandbox.reset(seed="7")  # type: ignore[arg-type]
    assert sandbox.state.store.seed == 1  # nothing changed


def test_wildcard_host_gives_a_url_clients_can_connect_to() -> None:
    # 0.0.0.0 listens everywhere but is no destination (Windows and macOS refuse it).
    # Built without listening: tests stay on the loopback interface.
    state = SandboxState(SandboxConfig())
    try:
        for host, url in [("0.0.0.0", "http://127.0.0.1:8000"), ("::", "http://[::1]:8000"),
                          ("127.0.0.1", "http://127.0.0.1:8000"), ("::1", "http://[::1]:8000")]:
            server = SandboxServer(state.config, state, host, 8000)
            assert (server.url, server.host) == (url, host)
    finally:
        state.close()
