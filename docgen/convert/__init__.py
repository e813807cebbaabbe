"""DOCX to PDF/A: LibreOffice one-shot and pooled, the private fontconfig, landscape pages turned.

Imports only the shared modules; the pipeline decides what to convert.
"""
