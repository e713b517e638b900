"""Debian's headless chromium, as the view's tests, benchmarks and screenshots start it.

Playwright never downloads a browser here; it drives the system chromium. The flags keep
chromium from reaching for the network on its own (updates, sync, background services).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch(playwright: Any) -> Any:
    """Start headless chromium through a ``sync_playwright()`` handle."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
