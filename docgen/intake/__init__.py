"""Reading a document that docgen did not write, as a clerk reads it.

Title, kind, 发文字号, 成文日期, 责任者 and the enterprises it names. Pure functions over text (from
a text layer or from OCR). Imports the shared modules and case/ (its 统一社会信用代码 check).
"""

from __future__ import annotations

from docgen.intake.enterprises import Enterprise, find_enterprises
from docgen.intake.metadata import Read, kind_of_title, read_metadata

__all__ = ["Enterprise", "Read", "find_enterprises", "kind_of_title", "read_metadata"]
