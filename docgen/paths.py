"""Where docgen's own files live (built-in templates, shipped font configuration)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
BUILTIN_TEMPLATES = REPO_DIR / "templates" / "official"
