"""Chromium headless, driven by Selenium through Debian's chromedriver: the web console's tests
see what a person's browser shows. Missing Chromium is a failure that says how to install it,
never a skip."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
DESKTOP = (1280, 900)
PHONE = (390, 844)
WAIT = 30  # seconds a page may take to show what is awaited (a bound, not a measurement)


def _executables() -> tuple[str, str]:
    browser = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        missing = [
            name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path
        ]
        pytest.fail(
            f"{' and '.join(missing)} not found: the web console's browser tests need Debian's "
            "chromium and chromium-driver packages (scripts/ensure-system installs them)",
            pytrace=False,
        )
    return browser, driver


@contextlib.contextmanager
def chromium(size: tuple[int, int] = DESKTOP) -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium (a profile of its own, removed afterwards)."""
    browser, driver_path = _executables()
    profile = tempfile.mkdtemp(prefix="console-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver, condition, message: str = ""):
    return WebDriverWait(driver, WAIT).until(condition, message)
