"""Browser test: Debian's Chromium driven by Playwright against the live server.

Signs in as a coordinator, reads a marked meeting's banner, narrows the meetings list with the htmx filter,
and submits the meeting form with an error. Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are still
# synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture
def page() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("SHIELDWALL_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " — SHIELDWALL_REQUIRE_BROWSER=1 requires the browser test to run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_coordinator_reads_a_marked_meeting_and_gets_a_form_error(
    page: Any, live_server: Any, coord_user: Any, marked_meetings: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(coord_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    _shot(page, "01-login")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Overview")
    _shot(page, "01b-home")

    page.goto(f"{live_server.url}/meetings/")
    expect(page.locator("#banner-top")).to_have_text("CONFIDENTIAL // REL TO FRA, GBR")
    expect(page.locator("#results tbody tr")).to_have_count(5)  # not GBR-UKR
    _shot(page, "02-meeting-list")

    # The htmx filter reloads only the results and the banners follow the rows now shown.
    page.get_by_label("Search").fill("press")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#banner-top")).to_have_text("UNCLASSIFIED // PUBLIC RELEASE")
    expect(page.locator("#banner-bottom")).to_have_text("UNCLASSIFIED // PUBLIC RELEASE")
    assert "q=press" in page.url

    page.goto(f"{live_server.url}/meetings/")
    page.get_by_role("link", name="Bilateral FRA-GBR staff talks").click()
    expect(page.locator("h1")).to_have_text("Bilateral FRA-GBR staff talks")
    expect(page.locator("#banner-top")).to_have_text("RESTRICTED // REL TO FRA, GBR")
    expect(page.locator("#banner-bottom")).to_have_text("RESTRICTED // REL TO FRA, GBR")
    _shot(page, "03-meeting-detail")

    page.goto(f"{live_server.url}/meetings/{marked_meetings['confidential'].pk}/")
    expect(page.locator("#banner-top")).to_have_text("CONFIDENTIAL // REL TO COALITION")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save").click()
    title_field = page.locator(".field", has=page.locator("#id_title"))
    expect(title_field.locator(".field-error")).to_have_text(re.compile("This field is required"))
    expect(page.locator("#id_title")).to_have_attribute("aria-invalid", "true")
    _shot(page, "04-meeting-form-error")

    marked_meetings["confidential"].refresh_from_db()
    assert marked_meetings["confidential"].title == "Air defence deep dive"
