"""The dashboard in a real browser: headless Chromium (Debian's package, installed by
``scripts/ensure-services``) driven by Playwright, against a live sandbox.

Screenshots land in ``test-artifacts/`` (or ``$TETHER_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

import tether
from tether.sandbox import SandboxConfig, SandboxServer, serve_in_thread

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the python package playwright is not installed (pip "
    "install -e '.[dev]')")

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("TETHER_TEST_ARTIFACTS")
                 or Path(__file__).resolve().parents[2] / "test-artifacts")
WAIT_MS = 10_000


def _chromium() -> str | None:
    for candidate in ("chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium here: scripts/ensure-services installs Debian's chromium "
                    "package where it can (apt-get as root)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with serve_in_thread(SandboxConfig()) as running:
        yield running


@pytest.fixture
def live(server: SandboxServer) -> SandboxServer:
    server.reset()
    return server


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(message: Any) -> None:
        # A refused control (422 for a bad rate) is logged by Chromium; the page shows it.
        handled = "responded with a status of 4" in message.text
        if message.type == "error" and not handled:
            errors.append(message.text)

    opened.on("console", on_console)
    yield opened
    context.close()
    assert errors == [], f"the page reported errors: {errors}"


def open_dashboard(page: Any, server: SandboxServer) -> None:
    page.goto(server.dashboard_url)
    page.wait_for_selector('#conn[data-state="live"]', timeout=WAIT_MS)


def metric(page: Any, name: str) -> Any:
    return page.locator(f'[data-metric="{name}"]')


def client(server: SandboxServer, key: str = "drill-key") -> tether.Client:
    # No retries and no pacing: every call is one request, and 429s come back as they are.
    return tether.Client(base_url=server.url, retry=False, rate_limit=False,
                         raise_for_status=False, headers={"X-API-Key": key})


def away_from_hour_end() -> None:
    # A 10/h limit counts per clock hour; a burst straddling the hour would see two quotas.
    left = 3600 - time.time() % 3600
    if left < 5:
        time.sleep(left + 0.05)


def test_counters_follow_a_client_and_its_429s(page: Any, live: SandboxServer) -> None:
    expect = playwright_api.expect
    open_dashboard(page, live)
    expect(metric(page, "requests")).to_have_text("0")
    # The limit goes in through the page's own control, as a person would set it.
    page.get_by_label("Rate", exact=True).fill("10/h")
    page.get_by_role("button", name="Add limit").click()
    expect(page.locator("#limits-list")).to_contain_text("10/h")
    assert httpx2.get(f"{live.url}/_sandbox/limits").json()["limits"] == ["10/h"]
    away_from_hour_end()
    with client(live) as api:
        statuses = [api.get(f"/todos/{n % 20 + 1}").status_code for n in range(30)]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 20
    expect(metric(page, "requests")).to_have_text("30", timeout=WAIT_MS)
    expect(metric(page, "429")).to_have_text("20", timeout=WAIT_MS)
    expect(metric(page, "2xx")).to_have_text("10", timeout=WAIT_MS)
    row = page.locator("#clients-body tr", has_text="key:dril")
    expect(row).to_contain_text("30", timeout=WAIT_MS)
    expect(row.locator(".refused")).to_have_text("20")
    # The per-key chart draws the client's line and nothing else broke on the way.
    expect(page.locator("#legend-clients")).to_contain_text("key:dril", timeout=WAIT_MS)
    page.get_by_role("button", name="Remove the limit 10/h").click()
    expect(page.locator("#limits-empty")).to_be_visible()
    assert httpx2.get(f"{live.url}/_sandbox/limits").json()["limits"] == []


def test_a_fault_rule_added_and_switched_off_through_the_page(
    page: Any, live: SandboxServer
) -> None:
    expect = playwright_api.expect
    open_dashboard(page, live)
    page.get_by_label("Method", exact=True).select_option("GET")
    page.get_by_label("Route", exact=True).fill("/posts*")
    page.get_by_label("Kind", exact=True).select_option("status")
    page.get_by_label("Probability %", exact=True).fill("100")
    page.get_by_label("Status", exact=True).fill("503")
    page.get_by_role("button", name="Add rule").click()
    rule_row = page.locator("#faults-body tr[data-rule]")
    expect(rule_row).to_have_count(1)
    expect(rule_row).to_contain_text("GET /posts*")
    expect(rule_row).to_contain_text("status 503")
    with client(live) as api:
        assert [api.get(f"/posts/{n}").status_code for n in (1, 2, 3)] == [503, 503, 503]
        assert api.get("/users/1").status_code == 200  # another route is untouched
        expect(rule_row.locator(".hits")).to_have_text("3 / 3", timeout=WAIT_MS)
        expect(metric(page, "5xx")).to_have_text("3", timeout=WAIT_MS)
        page.get_by_role("button", name="Switch off GET /posts* status 503").click()
        expect(page.locator("#faults-body tr[data-rule]")).to_have_count(0)
        assert httpx2.get(f"{live.url}/_sandbox/faults").json()["rules"] == []
        assert [api.get(f"/posts/{n}").status_code for n in (1, 2, 3)] == [200, 200, 200]
        # The tab keeps the switched-off rule, and puts it back in force on request.
        page.get_by_role("button", name="Switch on GET /posts* status 503").click()
        expect(page.locator("#faults-body tr[data-rule]")).to_have_count(1)
        assert api.get("/posts/1").status_code == 503
        page.get_by_role("button", name="Clear all").first.click()
        expect(page.locator("#faults-empty")).to_be_visible()
        assert api.get("/posts/1").status_code == 200


def test_bad_input_in_a_control_shows_the_sandboxs_message(
    page: Any, live: SandboxServer
) -> None:
    expect = playwright_api.expect
    open_dashboard(page, live)
    page.get_by_label("Rate", exact=True).fill("fast")
    page.get_by_label("Rate", exact=True).press("Enter")  # the keyboard submits the form
    expect(page.locator("#limit-error")).to_contain_text("cannot read rate")
    page.get_by_label("Kind", exact=True).select_option("latency")
    page.get_by_label("Delay", exact=True).fill("forever")
    page.get_by_role("button", name="Add rule").click()
    expect(page.locator("#fault-error")).to_contain_text("delay")
    assert httpx2.get(f"{live.url}/_sandbox/faults").json()["rules"] == []


def test_the_controls_work_from_the_keyboard(page: Any, live: SandboxServer) -> None:
    expect = playwright_api.expect
    open_dashboard(page, live)
    page.get_by_label("Route", exact=True).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("/users/*")
    page.keyboard.press("Tab")  # to Kind
    page.keyboard.press("Tab")  # to Probability %
    page.keyboard.press("Control+A")
    page.keyboard.type("100")
    page.keyboard.press("Enter")
    switch = page.get_by_role("button", name="Switch off /users/* status 503")
    expect(switch).to_be_visible()
    assert httpx2.get(f"{live.url}/users/1").status_code == 503
    switch.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#faults-body tr[data-rule]")).to_have_count(0)
    # Focus lands on the rule's "Switch on" button, where a keyboard user expects it.
    assert page.evaluate("document.activeElement.textContent") == "Switch on"
    assert httpx2.get(f"{live.url}/users/1").status_code == 200
    page.keyboard.press("Enter")
    expect(page.locator("#faults-body tr[data-rule]")).to_have_count(1)
    live.set_faults()


def test_reset_data_with_a_seed(page: Any, live: SandboxServer) -> None:
    expect = playwright_api.expect
    open_dashboard(page, live)
    httpx2.delete(f"{live.url}/todos/1")
    expect(page.locator('#collections-body tr[data-key="todos"]')).to_contain_text(
        "199", timeout=WAIT_MS)
    expect(metric(page, "requests")).to_have_text("1", timeout=WAIT_MS)
    page.get_by_label("Seed", exact=True).fill("4")
    page.get_by_role("button", name="Reset data").click()
    expect(page.locator("#seed")).to_have_text("4", timeout=WAIT_MS)
    expect(page.locator('#collections-body tr[data-key="todos"]')).to_contain_text("200")
    expect(metric(page, "requests")).to_have_text("0")
    assert httpx2.get(f"{live.url}/_sandbox/health").json()["seed"] == 4
    live.reset(1)


def test_routes_have_example_links(page: Any, live: SandboxServer) -> None:
    expect = playwright_api.expect
    open_dashboard(page, live)
    link = page.locator("#routes-list a", has_text="/posts/{id}/comments").first
    expect(link).to_have_attribute("href", "/posts/1/comments")
    assert httpx2.get(live.url + link.get_attribute("href")).status_code == 200


def test_everything_the_page_loads_comes_from_the_sandbox(
    page: Any, live: SandboxServer
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(live.dashboard_url)
    assert response is not None
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.wait_for_selector('#conn[data-state="live"]', timeout=WAIT_MS)
    page.locator("#routes-list li").first.wait_for(timeout=WAIT_MS)
    with client(live) as api:
        api.get("/posts/1")
    playwright_api.expect(metric(page, "requests")).to_have_text("1", timeout=WAIT_MS)
    page.set_viewport_size({"width": 420, "height": 800})
    page.wait_for_timeout(700)
    origin = live.url + "/"
    assert requested, "the browser made no request at all"
    outside = [url for url in requested if not url.startswith(origin)]
    assert outside == [], f"the page loaded from elsewhere: {outside}"
    # Its own loads are admin paths, so the page never counts itself as traffic.
    assert {url[len(live.url):].split("?")[0] for url in requested} <= {
        "/_sandbox/ui", "/_sandbox/ui/dashboard.css", "/_sandbox/ui/dashboard.js",
        "/_sandbox/events", "/_sandbox/routes"}
    assert live.stats()["total"] == 1


def _box(page: Any, selector: str) -> tuple[float, float, float, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None
    return box["x"], box["y"], box["width"], box["height"]


def _load(server: SandboxServer, keys: tuple[str, ...], calls: int) -> None:
    for key in keys:
        with client(server, key) as api:
            for n in range(calls):
                api.get(f"/posts/{n % 100 + 1}")


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (420, 800)])
def test_screenshots_and_a_steady_layout(
    browser: Any, live: SandboxServer, width: int, height: int
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        live.set_limits("20/s")
        live.set_faults({"route": "GET /posts*", "probability": 0.2, "kind": "status",
                         "status": 503}, {"route": "*", "kind": "latency", "delay": "2..20ms"})
        open_dashboard(page, live)

        def tiles() -> list[tuple[float, float, float, float]]:
            return [_box(page, f'[data-metric="{name}"]') for name in ("requests", "429", "p99")]

        before = tiles()
        _load(live, ("tether-sandbox-key", "drill-key"), 60)
        total = str(live.stats()["total"])
        playwright_api.expect(metric(page, "requests")).to_have_text(total, timeout=WAIT_MS)
        page.wait_for_timeout(1200)  # a completed second in the charts
        # Numbers grew from one digit to several, and nothing moved or resized.
        assert tiles() == before
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"the page is {overflow}px wide in a {width}px window"
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{width}x{height}.png"))
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{width}x{height}-full.png"),
                        full_page=True)
    finally:
        context.close()
        live.set_faults()
        live.set_limits()
    assert (ARTIFACTS / f"dashboard-{width}x{height}.png").stat().st_size > 10_000


def test_the_page_asks_for_the_admin_token(browser: Any) -> None:
    expect = playwright_api.expect
    with serve_in_thread(SandboxConfig(admin_token="drill-token")) as server:
        assert httpx2.get(f"{server.url}/_sandbox/stats").status_code == 401
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        try:
            page.goto(server.dashboard_url)
            dialog = page.locator("#token-dialog")
            expect(dialog).to_be_visible(timeout=WAIT_MS)
            page.get_by_label("Token", exact=True).fill("wrong")
            page.get_by_label("Token", exact=True).press("Enter")
            expect(dialog).to_be_visible(timeout=WAIT_MS)
            expect(page.locator("#token-reason")).to_contain_text("not valid")
            page.get_by_label("Token", exact=True).fill("drill-token")
            page.get_by_role("button", name="Unlock").click()
            page.wait_for_selector('#conn[data-state="live"]', timeout=WAIT_MS)
            expect(page.locator("#routes-list li").first).to_be_visible(timeout=WAIT_MS)
            # The fragment form (what `tether serve --open` opens) needs no typing.
            fresh = context.new_page()
            fresh.goto(server.dashboard_url + "#token=drill-token")
            fresh.wait_for_selector('#conn[data-state="live"]', timeout=WAIT_MS)
            assert "token" not in fresh.url
        finally:
            context.close()
