"""RapidOCR (``rapidocr_onnxruntime``): PP-OCRv4 Chinese detection and recognition on onnxruntime.

The models travel inside the wheel, so it runs on a machine with no internet. Loading them takes
about a second: one engine is made per import and reused for every page.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from PIL import Image

from docgen._io import termination_exit
from docgen.errors import OcrError
from docgen.ocr import INSTALL_HINT, Box

PACKAGE = "rapidocr_onnxruntime"


class RapidEngine:
    """RapidOCR behind docgen's ``OcrEngine`` interface."""

    name = "RapidOCR"

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR  # noqa: PLC0415 - an optional extra

            self.version = version(PACKAGE)
        except (ImportError, PackageNotFoundError) as exc:
            # A SIGTERM while OpenCV or onnxruntime load can surface as their ImportError: that is
            # an interruption, not a missing component (seen when an import was stopped mid-way).
            if (code := termination_exit()) is not None:
                raise SystemExit(code) from exc
            msg = f"扫描件需要 OCR 才能读出文字，但没有安装 OCR 组件（{str(exc)[:80]}）。{INSTALL_HINT}"
            raise OcrError(msg) from exc
        self._engine: Any = RapidOCR()

    def boxes(self, image: Path) -> list[Box]:
        """Every text run RapidOCR finds on the image."""
        try:
            found, _ = self._engine(str(image))
        except Exception as exc:  # onnxruntime and OpenCV raise their own types
            msg = f"OCR 识别 {image.name} 失败（{exc}）"
            raise OcrError(msg) from exc
        boxes = []
        for corners, text, score in found or []:
            xs, ys = [p[0] for p in corners], [p[1] for p in corners]
            boxes.append(Box(str(text), min(xs), min(ys), max(xs), max(ys), float(score)))
        return boxes

    def line_confidence(self, line: Image.Image) -> float:
        """Recognition alone (no detection, no turning by the classifier) of one line's image."""
        import numpy as np  # noqa: PLC0415 - comes with rapidocr

        try:
            found, _ = self._engine(np.asarray(line.convert("RGB")), use_det=False, use_cls=False)
        except Exception as exc:  # onnxruntime and OpenCV raise their own types
            msg = f"OCR 判断页面方向失败（{exc}）"
            raise OcrError(msg) from exc
        return float(found[0][1]) if found and found[0][0] else 0.0
