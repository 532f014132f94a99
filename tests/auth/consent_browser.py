"""A stand-in for the person at the browser: opens TikTok's (the emulator's) consent page and decides.

Used two ways: imported by the tests (``open_url`` callables for ``login``), and as the ``BROWSER``
command for CLI runs (``BROWSER="python consent_browser.py %s"``), which proves ``webbrowser`` is used.
``CONSENT_DECISION`` (authorize|deny) and ``CONSENT_DRIVER`` (http|chromium) steer the script form.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urljoin

import httpx

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The Debian chromium the tests drive (``TIKTOK_ADS_MART_CHROMIUM``, default /usr/bin/chromium)."""
    configured = os.environ.get("TIKTOK_ADS_MART_CHROMIUM") or "/usr/bin/chromium"
    if Path(configured).is_file():
        return configured
    return shutil.which("chromium")


def consent_http(url: str, decision: str = "authorize") -> str:
    """Submit the consent form with a bare HTTP client; returns the page the redirect target answered."""
    with httpx.Client(timeout=10.0) as client:
        page = client.get(url)
        page.raise_for_status()
        form = re.search(r'<form method="post" action="([^"]+)">', page.text)
        assert form is not None, "the consent page has no form"
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
        fields = {k: v.replace("&amp;", "&").replace("&quot;", '"') for k, v in fields.items()}
        fields["decision"] = decision
        answer = client.post(urljoin(url, form.group(1)), data=fields)
        assert answer.status_code == 302, answer.text
        return client.get(answer.headers["location"]).text


def consent_chromium(url: str, decision: str = "authorize") -> str:
    """Click Authorize (or Deny) in a real headless Chromium; returns the text of the final page."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    assert executable, "chromium is not installed"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.click("#authorize" if decision == "authorize" else "#deny")
            page.wait_for_selector("#result", timeout=15000)
            return page.inner_text("body")
        finally:
            browser.close()


def main() -> int:
    url = sys.argv[1]
    decision = os.environ.get("CONSENT_DECISION", "authorize")
    driver = consent_chromium if os.environ.get("CONSENT_DRIVER") == "chromium" else consent_http
    driver(url, decision)
    return 0


if __name__ == "__main__":
    sys.exit(main())
