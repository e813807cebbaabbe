"""From case models to a filled DOCX: template context, templates, the template builder, DOCX forming.

Imports case/ and the shared modules; knows nothing of conversion, numbers or the archive.
"""
