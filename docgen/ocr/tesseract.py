"""Tesseract 4/5 with ``chi_sim`` (Debian: tesseract-ocr, tesseract-ocr-chi-sim), through its CLI.

Not the default: on the same pages it read fewer characters right than RapidOCR (see the README's
performance section), but it is there on many Linux machines without any Python extra.
"""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from docgen.errors import OcrError
from docgen.ocr import Box, run_tool

TIMEOUT_S = 300
MIN_CONFIDENCE = 0  # tesseract marks non-text boxes with -1


class TesseractEngine:
    """``tesseract IMAGE stdout -l chi_sim tsv`` behind docgen's ``OcrEngine`` interface."""

    name = "Tesseract"

    def __init__(self) -> None:
        try:
            said = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30, check=True)
            languages = subprocess.run(
                ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=True
            )
        except (OSError, subprocess.SubprocessError) as exc:
            msg = "没有找到 tesseract（Debian：apt install tesseract-ocr tesseract-ocr-chi-sim）。"
            raise OcrError(msg) from exc
        if "chi_sim" not in languages.stdout.split():
            msg = "tesseract 没有简体中文语言包（Debian：apt install tesseract-ocr-chi-sim）。"
            raise OcrError(msg)
        self.version = (said.stdout or said.stderr).split()[1]

    def boxes(self, image: Path) -> list[Box]:
        """Every line tesseract finds, with the mean confidence of its words."""
        command: list[str | Path] = ["tesseract", image, "stdout", "-l", "chi_sim", "tsv"]
        printed = run_tool(command, TIMEOUT_S, f"tesseract 识别 {image.name} 失败")
        lines: dict[tuple[str, str, str], list[dict[str, str]]] = {}
        for row in csv.DictReader(io.StringIO(printed), delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("text", "").strip() and float(row.get("conf") or -1) >= MIN_CONFIDENCE:
                lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
        boxes = []
        for words in lines.values():
            left = min(float(w["left"]) for w in words)
            top = min(float(w["top"]) for w in words)
            right = max(float(w["left"]) + float(w["width"]) for w in words)
            bottom = max(float(w["top"]) + float(w["height"]) for w in words)
            text = " ".join(w["text"] for w in words)
            confidence = sum(float(w["conf"]) for w in words) / len(words) / 100
            boxes.append(Box(text, left, top, right, bottom, confidence))
        return boxes

    def line_confidence(self, line: Image.Image) -> float:
        """Tesseract's mean word confidence reading ``line`` as one line (page segmentation mode 7)."""
        with tempfile.TemporaryDirectory(prefix="docgen-line-") as tmp:
            path = Path(tmp) / "line.png"
            line.save(path)
            command: list[str | Path] = ["tesseract", path, "stdout", "-l", "chi_sim", "--psm", "7", "tsv"]
            printed = run_tool(command, TIMEOUT_S, "tesseract 判断页面方向失败")
        scores = [
            float(row["conf"])
            for row in csv.DictReader(io.StringIO(printed), delimiter="\t", quoting=csv.QUOTE_NONE)
            if row.get("text", "").strip() and float(row.get("conf") or -1) >= MIN_CONFIDENCE
        ]
        return sum(scores) / len(scores) / 100 if scores else 0.0
