"""What the browser tests share: Debian's Chromium driven by Playwright, and screenshots looked at as pictures.

With DOCGEN_SCREENSHOTS=<folder> every screenshot is also kept there (the README's come from there).
A module importing this is skipped, said so, where Chromium is not installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root in a container, and on a machine whose network is closed: no sandbox, no phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if CHROMIUM is None:
    pytest.skip(
        "Chromium 未安装（scripts/install-system.sh 会安装 Debian 的 chromium）：跳过浏览器测试",
        allow_module_level=True,
    )

from playwright.sync_api import Page, ViewportSize  # noqa: E402 - only where Chromium is

OFFICE_SCREEN: ViewportSize = {"width": 1366, "height": 768}
PHONE_SCREEN: ViewportSize = {"width": 390, "height": 844}


def looked_at(page: Page, name: str, tmp_path: Path) -> Image.Image:
    """Screenshot the page (as large as its viewport), keep it where asked, and return it as a picture."""
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    keep = os.environ.get("DOCGEN_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / f"web-{name}.png")
    picture = Image.open(shot).convert("RGB")
    size = page.viewport_size
    assert size is not None and picture.size == (size["width"], size["height"])
    return picture


def share_of(picture: Image.Image, colour: tuple[int, int, int], tolerance: int = 40) -> float:
    """How much of the picture is close to ``colour``."""
    small = picture.resize((max(1, picture.width // 4), max(1, picture.height // 4)))
    data = small.tobytes()
    pixels = (data[i : i + 3] for i in range(0, len(data), 3))
    near = sum(1 for pixel in pixels if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True)))
    return near / (small.width * small.height)


def pdf_drawn(page: Page, name: str, tmp_path: Path) -> Image.Image:
    """The page looked at once the PDF viewer in its right half has drawn a page (10 s at most)."""
    for _ in range(20):
        page.wait_for_timeout(500)
        picture = looked_at(page, name, tmp_path)
        right_half = picture.crop((picture.width // 2, 200, picture.width, picture.height))
        if share_of(right_half, (255, 255, 255), tolerance=8) > 0.2:
            break
    assert share_of(right_half, (255, 255, 255), tolerance=8) > 0.2, "the PDF page is drawn in its frame"
    assert share_of(right_half, (0, 0, 0), tolerance=90) > 0.002, "with text on it"
    return picture
