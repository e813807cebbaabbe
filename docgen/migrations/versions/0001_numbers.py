"""The 发文字号 ledger: one row per number ever used, a counter row per run, the organ of each series."""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    """Numbers as the SQLite ledger keeps them, with the organ that holds each; counters per run."""
    op.execute(
        """
        CREATE TABLE series (
            prefix TEXT PRIMARY KEY,
            organ  TEXT NOT NULL
        );
        CREATE TABLE number_runs (
            prefix  TEXT    NOT NULL REFERENCES series (prefix),
            year    INTEGER NOT NULL,
            highest INTEGER NOT NULL DEFAULT 0 CHECK (highest >= 0),
            PRIMARY KEY (prefix, year)
        );
        CREATE TABLE numbers (
            id          BIGSERIAL PRIMARY KEY,
            organ       TEXT    NOT NULL,
            prefix      TEXT    NOT NULL REFERENCES series (prefix),
            year        INTEGER NOT NULL,
            seq         INTEGER NOT NULL CHECK (seq > 0),
            number      TEXT    NOT NULL,
            title       TEXT    NOT NULL,
            kind        TEXT,
            case_file   TEXT,
            doc_key     TEXT,
            source      TEXT    NOT NULL CHECK (source IN ('docgen', 'external', 'import', 'gap')),
            issued_by   TEXT    NOT NULL,
            issued_at   TEXT    NOT NULL,
            state       TEXT    NOT NULL CHECK (state IN ('issued', 'voided')),
            void_reason TEXT,
            voided_by   TEXT,
            voided_at   TEXT,
            UNIQUE (prefix, year, seq)
        );
        CREATE UNIQUE INDEX numbers_document ON numbers (organ, case_file, doc_key) WHERE case_file IS NOT NULL;
        CREATE INDEX numbers_organ ON numbers (organ, prefix, year, seq);
        """
    )
