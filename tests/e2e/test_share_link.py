"""The sidebar's share link: the page's own URL, as text, copied by its button."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import wait_for_app

pytestmark = pytest.mark.e2e

LINK = '[data-testid="stSidebar"] .lsl-url'


def test_the_link_is_the_pages_url_and_copy_puts_it_on_the_clipboard(browser, base_url):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    page.goto(f"{base_url}/fit?data=stackloss&lr=0.05")
    wait_for_app(page)
    page.wait_for_function("() => window.location.search.includes('lr=0.05')", timeout=30_000)
    wait_for_app(page)
    link = page.locator(LINK).text_content()
    shown, current = urlparse(link), urlparse(page.url)
    assert shown.path == current.path == "/fit"
    assert parse_qs(shown.query) == parse_qs(current.query)
    assert parse_qs(shown.query)["data"] == ["stackloss"] and parse_qs(shown.query)["lr"] == ["0.05"]
    page.get_by_role("button", name="Copy link").click()
    page.wait_for_function("() => document.querySelector('.lsl-status').textContent === 'Copied.'")
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    context.close()

