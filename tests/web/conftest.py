"""Headless Chromium (Debian's `chromium` and `chromium-driver`) driven by Selenium against a real
`textmine serve` over the demo corpus. Screenshots of every page are kept in test-artifacts/web/."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.api.server import FIXTURES, ROOT, load_corpus, serve

CHROMIUM = os.environ.get("TEXTMINE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("TEXTMINE_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(os.environ.get("TEXTMINE_SCREENSHOTS", ROOT / "test-artifacts" / "web"))


@pytest.fixture(scope="session")
def web_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("web") / "demo.db"
    load_corpus(str(db), [ROOT / "corpora" / "demo", FIXTURES / "xss_2020.txt"])
    return db


@pytest.fixture(scope="session")
def site(web_store, tmp_path_factory) -> str:
    with serve(str(web_store), write=True, log=tmp_path_factory.mktemp("web-serve") / "serve.log") as base:
        yield base


@pytest.fixture(scope="session")
def downloads(tmp_path_factory) -> Path:
    """Where the browser saves what it downloads (the export links)."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def browser(downloads):
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (Path(p).exists() or shutil.which(p))]
    if missing:
        reason = (f"no {', '.join(missing)}: the browser tests need Debian's Chromium and its driver "
                  "(apt-get install -y chromium chromium-driver)")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + " -- CI must run the browser tests, not skip them")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="textmine-chromium-")
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1366,900"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def shot(browser):
    """`shot("name")` saves the current page as test-artifacts/web/NN-name.png."""
    count = [0]

    def save(name: str) -> Path:
        count[0] += 1
        path = SCREENSHOTS / f"{count[0]:02d}-{name}.png"
        browser.save_screenshot(str(path))
        assert path.stat().st_size > 10_000, f"screenshot {path} is (nearly) empty"
        return path

    return save
