"""The pytest plugin as users meet it: installed through its entry point, in a separate
pytest run, with the fixture overridden from a conftest."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

USER_CONFTEST = '''
import pytest
from tether.sandbox import SandboxConfig

@pytest.fixture(scope="session")
def sandbox_config():
    return SandboxConfig(seed=7, api_key="users-own-key")
'''

USER_TESTS = '''
import httpx2

def test_writes(sandbox):
    created = httpx2.post(f"{sandbox.url}/albums", json={"userId": 1, "title": "a"})
    assert created.json()["id"] == 101
    assert sandbox.stats()["routes"] == {"POST /albums": {"201": 1}}

def test_isolated_from_the_previous_test(sandbox):
    assert httpx2.get(f"{sandbox.url}/albums/101").status_code == 404
    assert sandbox.stats()["total"] == 1

def test_config_override(sandbox):
    assert httpx2.get(f"{sandbox.url}/_sandbox/health").json()["seed"] == 7
    assert httpx2.get(f"{sandbox.url}/profile",
                      headers={"X-API-Key": "users-own-key"}).status_code == 200
'''


def test_fixture_in_a_users_project(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(USER_CONFTEST)
    (tmp_path / "test_users_code.py").write_text(USER_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


# Two directories, one overriding sandbox_config with faults and limits: whichever runs
# first, each test must meet the server its own configuration asks for.

DRILL_CONFTEST = '''
import pytest
from tether.sandbox import SandboxConfig

@pytest.fixture(scope="session")
def sandbox_config():
    return SandboxConfig(
        seed=7,
        rate_limits=("100/s",),
        faults=({"route": "GET /todos/2", "kind": "status", "status": 503},),
    )
'''

DRILL_TESTS = '''
import httpx2

def test_drill_config(sandbox):
    assert httpx2.get(f"{sandbox.url}/_sandbox/health").json()["seed"] == 7
    assert "RateLimit-Policy" in httpx2.get(f"{sandbox.url}/todos/1").headers
    assert httpx2.get(f"{sandbox.url}/todos/2").status_code == 503

def test_drill_server_without_reset(sandbox_server):
    assert sandbox_server.config.seed == 7
'''

PLAIN_TESTS = '''
import httpx2

def test_plain_config(sandbox):
    assert httpx2.get(f"{sandbox.url}/_sandbox/health").json()["seed"] == 1
    assert "RateLimit-Policy" not in httpx2.get(f"{sandbox.url}/todos/1").headers
    assert httpx2.get(f"{sandbox.url}/todos/2").status_code == 200
    assert httpx2.get(f"{sandbox.url}/_sandbox/faults").json()["rules"] == []

def test_plain_server_without_reset(sandbox_server):
    assert sandbox_server.config.seed == 1
'''


def test_each_directory_gets_the_server_its_config_asks_for(
    pytester: pytest.Pytester,
) -> None:
    pytester.mkdir("drill")
    pytester.mkdir("plain")
    (pytester.path / "drill" / "conftest.py").write_text(DRILL_CONFTEST)
    (pytester.path / "drill" / "test_drill.py").write_text(DRILL_TESTS)
    (pytester.path / "plain" / "test_plain.py").write_text(PLAIN_TESTS)
    for order in (["plain", "drill"], ["drill", "plain"]):
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *order, timeout=120)
        assert result.ret == 0, (order, result.stdout.str())
        result.assert_outcomes(passed=4)


ASYNC_TESTS = '''
import pytest
import tether

async def test_plain_async(sandbox):
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        assert (await client.get("/todos/1")).json()["id"] == 1

@pytest.mark.anyio
async def test_anyio_marked(sandbox):
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        assert (await client.get("/todos/2")).json()["id"] == 2
'''


@pytest.mark.parametrize(
    "options",
    [
        ["-o", "asyncio_mode=strict"],  # pytest-asyncio as installed by default
        ["-o", "asyncio_mode=auto"],
        ["-p", "no:asyncio"],  # anyio's plugin alone
    ],
    ids=["pytest-asyncio-strict", "pytest-asyncio-auto", "anyio-only"],
)
def test_a_plain_async_test_works_with_either_plugin(tmp_path: Path, options: list[str]) -> None:
    (tmp_path / "test_async_users_code.py").write_text(ASYNC_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # anyio runs its marked test once per installed backend: asyncio, and trio when present.
    backends = 1 + (importlib.util.find_spec("trio") is not None)
    assert f"{1 + backends} passed" in result.stdout
