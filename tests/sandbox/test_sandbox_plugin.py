"""The pytest plugin as users meet it: installed through its entry point, in a separate
pytest run, with the fixture overridden from a conftest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
