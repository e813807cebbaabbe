"""The one straight line: case → documents → DOCX → PDF/A → archive → index, and its errands.

The only part that combines the others (case, render, convert, readback, stamp, numbering,
archive, search, lint); nothing imports it but the CLI.
"""
