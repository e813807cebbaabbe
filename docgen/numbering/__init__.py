"""发文字号: the SQLite registry and what is done with it (drafts from Word, CSV import, checks).

Imports only the shared modules; numbering a case's documents is the pipeline's job.
"""
