"""Every exception tether raises is a ``tether.TetherError``, and keeps the standard or
httpx2 base that existing ``except`` clauses rely on."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil

import httpx2
import pytest

import tether
import tether.sandbox
import tether.testing

PUBLIC_NAMESPACES = (tether, tether.sandbox, tether.testing)

# Raised and caught inside the sandbox's request handling, always answered as a 4xx;
# they never reach a caller of tether.
INTERNAL = {
    "tether.sandbox._http.BodyError",
    "tether.sandbox._http.JSONBodyError",
    "tether.sandbox._query.QueryError",
}

# The bases each error keeps so code written for httpx2 or the standard library still
# catches it.
KEPT_BASES: dict[type[BaseException], tuple[type[BaseException], ...]] = {
    tether.APIError: (httpx2.HTTPStatusError,),
    tether.ClientError: (httpx2.HTTPStatusError,),
    tether.ServerError: (httpx2.HTTPStatusError,),
    tether.RetryError: (httpx2.TransportError,),
    tether.RetryBudgetExhausted: (httpx2.TransportError,),
    tether.RetryAfterTooLong: (httpx2.TransportError,),
    tether.DeadlineExceeded: (httpx2.TransportError, httpx2.TimeoutException),
    tether.ConfigurationError: (ValueError,),
    tether.MissingCredentialError: (ValueError, LookupError),
    tether.JSONDecodeError: (json.JSONDecodeError, ValueError),
    tether.sandbox.FaultConfigError: (ValueError,),
    tether.sandbox.RateLimitConfigError: (ValueError,),
    tether.sandbox.ConnectionDropError: (RuntimeError,),
}


def _public_errors() -> dict[str, type[BaseException]]:
    found = {}
    for namespace in PUBLIC_NAMESPACES:
        for name in getattr(namespace, "__all__", dir(namespace)):
            value = getattr(namespace, name)
            if inspect.isclass(value) and issubclass(value, BaseException):
                found[f"{namespace.__name__}.{name}"] = value
    return found


def _all_modules() -> list[str]:
    names = ["tether"]
    for info in pkgutil.walk_packages(tether.__path__, "tether."):
        names.append(info.name)
    return names


def _defined_errors() -> dict[str, type[BaseException]]:
    """Every exception class defined in any tether module, public or not."""
    found = {}
    for module_name in _all_modules():
        module = importlib.import_module(module_name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == module_name:
                found[f"{module_name}.{value.__qualname__}"] = value
    return found


def test_the_public_namespaces_export_errors_at_all() -> None:
    # Guards the walk below against finding nothing and passing vacuously.
    assert len(_public_errors()) >= 20


@pytest.mark.parametrize("name", sorted(_public_errors()))
def test_every_public_error_is_a_tether_error(name: str) -> None:
    error = _public_errors()[name]
    assert issubclass(error, tether.TetherError), f"{name} does not derive from TetherError"
    assert inspect.getdoc(error), f"{name} has no docstring"


@pytest.mark.parametrize("name", sorted(set(_defined_errors()) - INTERNAL))
def test_every_error_defined_anywhere_in_tether_is_a_tether_error(name: str) -> None:
    assert issubclass(_defined_errors()[name], tether.TetherError), name


def test_the_internal_allowlist_names_real_classes() -> None:
    assert set(_defined_errors()) >= INTERNAL


@pytest.mark.parametrize("error", list(KEPT_BASES), ids=lambda e: e.__name__)
def test_errors_keep_their_httpx2_and_standard_bases(error: type[BaseException]) -> None:
    for base in KEPT_BASES[error]:
        assert issubclass(error, base), f"{error.__name__} lost its base {base.__name__}"


def test_retry_errors_are_caught_by_except_tether_error() -> None:
    request = httpx2.Request("GET", "http://127.0.0.1/x")
    for cls in (tether.RetryBudgetExhausted, tether.DeadlineExceeded, tether.RetryAfterTooLong):
        with pytest.raises(tether.TetherError) as caught:
            raise cls("stopped", request=request, attempts=())
        assert isinstance(caught.value, httpx2.HTTPError)
        assert caught.value.request is request


def test_sandbox_configuration_errors_are_configuration_errors() -> None:
    with pytest.raises(tether.ConfigurationError, match="kind"):
        tether.sandbox.parse_fault_rule({"kind": "nonsense"})
    with pytest.raises(tether.ConfigurationError):
        tether.sandbox.SandboxConfig(rate_limits=["lots/s"])
