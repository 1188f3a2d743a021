"""Regenerates docs/screenshots/: the demo's main pages in chromium at 1440 and 390 px wide.

    .venv/bin/python scripts/screenshots.py [--output docs/screenshots] [--chromium PATH]

Builds the demo organisation in a throwaway data directory, serves it on the loopback address
with `okr demo`, signs in as the demo's leader (Amara, whom a review waits on) and photographs
each page (the visible part of the window, as someone opening the page sees it). Needs the
test extras (Playwright) and Debian's chromium.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = {"1440": (1440, 900), "390": (390, 844)}
TEAM = "growth"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the demo did not answer {url} within {seconds:.0f} s")


def _previous_quarter(today: date) -> str:
    quarter = (today.month - 1) // 3 + 1
    year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return f"{year}-Q{quarter}"


def _pages(base: str, page: Page) -> list[tuple[str, str]]:
    """(name, address) of each page to photograph; objective and KPI found by following links."""
    org = f"{base}/o/demo"
    page.goto(f"{org}/teams/{TEAM}/")
    objective = page.locator("main a[href*='/objectives/']").first.get_attribute("href")
    page.goto(f"{org}/kpis/")
    kpi = page.locator("main a[href*='/kpis/']:not([href$='/new/'])").first.get_attribute("href")
    return [
        ("home", f"{org}/home/"),
        ("dashboard", f"{org}/"),
        ("map", f"{org}/map/"),
        ("team", f"{org}/teams/{TEAM}/"),
        ("objective", f"{base}{objective}"),
        ("my-week", f"{org}/my-week/"),
        ("planning", f"{org}/plan/"),
        ("strategy", f"{org}/strategy/"),
        ("kpis", f"{org}/kpis/"),
        ("kpi", f"{base}{kpi}"),
        (
            "quarterly-review",
            f"{org}/teams/{TEAM}/quarterly-review/{_previous_quarter(date.today())}/",
        ),
        ("data-bank", f"{org}/data-bank/"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.output.mkdir(parents=True, exist_ok=True)
    okr = Path(sys.executable).with_name("okr")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="okr-shots-") as data_dir:
        env = {**os.environ, "OKR_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        command = [str(okr), "demo", "--port", str(port), "--data-dir", data_dir, "--no-worker"]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            _wait(f"{base}/healthz")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"{base}/accounts/login/")
                _shoot(page, args.output, "login")
                page.get_by_label("Username").fill("amara")
                page.get_by_label("Password").fill("demo")
                page.get_by_role("button", name="Log in").click()
                page.wait_for_load_state()
                for name, url in _pages(base, page):
                    page.goto(url)
                    _shoot(page, args.output, name)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"screenshots written to {args.output}")


def _shoot(page: Page, output: Path, name: str) -> None:
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        page.screenshot(path=str(output / f"{name}-{label}.png"))
        print(f"  {name}-{label}.png")


if __name__ == "__main__":
    main()
