"""Redaction of URLs, headers and free text, including names registered at run time."""

from __future__ import annotations

import httpx2
from hypothesis import given
from hypothesis import strategies as st

from tether._redact import (
    REDACTED,
    add_sensitive_names,
    is_sensitive_header,
    is_sensitive_param,
    redact_headers,
    redact_text,
    redact_url,
)


def test_url_password_and_credential_params_are_hidden() -> None:
    url = "https://me:pw@api.test/x?api_key=abc&page=2&access_token=t&sig=s"
    assert redact_url(url) == (
        "https://me:[REDACTED]@api.test/x?api_key=[REDACTED]&page=2"
        "&access_token=[REDACTED]&sig=[REDACTED]"
    )
    assert redact_url(httpx2.URL("http://api.test/ok?page=1")) == "http://api.test/ok?page=1"


def test_headers_with_credentials_are_hidden() -> None:
    headers = httpx2.Headers(
        {"Authorization": "Bearer x", "X-API-Key": "k", "X-Goog-Api-Key": "g", "Accept": "*/*"}
    )
    assert redact_headers(headers) == {
        "authorization": REDACTED,
        "x-api-key": REDACTED,
        "x-goog-api-key": REDACTED,
        "accept": "*/*",
    }


def test_registered_names_are_hidden_from_then_on() -> None:
    assert not is_sensitive_param("zz_appid_test")
    assert not is_sensitive_header("X-Zz-Test-Auth")
    add_sensitive_names(headers=["X-Zz-Test-Auth"], params=["zz_appid_test"])
    assert is_sensitive_param("zz_appid_test")
    assert is_sensitive_param("ZZ_APPID_TEST")
    assert is_sensitive_header("x-zz-test-auth")
    assert redact_url("http://a.test/?zz_appid_test=1&q=2") == (
        "http://a.test/?zz_appid_test=[REDACTED]&q=2"
    )
    assert redact_headers({"X-Zz-Test-Auth": "v"}) == {"X-Zz-Test-Auth": REDACTED}


def test_tokens_in_text_are_hidden() -> None:
    text = 'Authorization: Bearer abc.def-123 then {"access_token": "zzz", "x": 1} password=hunter2'
    cleaned = redact_text(text)
    for secret in ("abc.def-123", "zzz", "hunter2"):
        assert secret not in cleaned
    assert '"x": 1' in cleaned


def test_prose_about_schemes_is_left_alone() -> None:
    text = "send a Bearer token, an X-API-Key header or HTTP Basic credentials"
    assert redact_text(text) == text
    assert redact_text("Bearer tokenABC123") == "Bearer [REDACTED]"


@given(st.text(alphabet=st.characters(min_codepoint=48, max_codepoint=122), min_size=6))
def test_any_api_key_value_is_hidden_from_urls(value: str) -> None:
    url = httpx2.URL("http://api.test/p", params={"api_key": value, "page": "1"})
    shown = redact_url(url)
    assert "api_key=[REDACTED]" in shown
    assert f"api_key={value}" not in shown


def test_a_user_name_alone_is_hidden_as_it_is_often_a_token() -> None:
    assert redact_url("https://ghp_s3cr3t@api.example/x") == "https://[REDACTED]@api.example/x"
    assert redact_url("https://me:pw@api.example/x") == "https://me:[REDACTED]@api.example/x"


def test_credentials_in_the_fragment_are_hidden() -> None:
    shown = redact_url("https://app.example/cb#access_token=s3cr3t&state=42")
    assert shown == "https://app.example/cb#access_token=[REDACTED]&state=42"
    assert redact_url("https://app.example/doc#section-2") == "https://app.example/doc#section-2"


def test_jwt_and_auth_parameters_are_hidden() -> None:
    shown = redact_url("https://api.example/x?jwt=a.b.c&auth=s3cr3t&author=ann")
    assert shown == "https://api.example/x?jwt=[REDACTED]&auth=[REDACTED]&author=ann"
