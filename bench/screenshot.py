"""Take the README's screenshot of the network view of a build (headless Debian chromium).

Usage: .venv/bin/python bench/screenshot.py [OUT] [PNG]   (defaults: out, bench/network.png)
"""

from __future__ import annotations

import sys
from pathlib import Path

from labourgraph.browser import launch
from playwright.sync_api import sync_playwright


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    png = Path(sys.argv[2] if len(sys.argv) > 2 else "bench/network.png")
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        page.goto((out / "network.html").resolve().as_uri())
        page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30000)
        page.evaluate("window.labourgraph.search('KNPRK')")
        page.wait_for_timeout(800)
        page.screenshot(path=str(png))
        browser.close()
    print(f"Wrote {png}")


if __name__ == "__main__":
    main()
