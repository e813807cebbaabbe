"""Drafts in the database: their text, history, flow and kept files, per organ (any worker issues them)."""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    """A row per draft (its flow record and current text), its revisions, and the files kept with it."""
    op.execute(
        """
        CREATE TABLE drafts (
            organ   TEXT NOT NULL,
            id      TEXT NOT NULL,
            created TEXT NOT NULL,
            flow    TEXT NOT NULL,
            text    TEXT NOT NULL,
            PRIMARY KEY (organ, id)
        );
        CREATE TABLE draft_history (
            organ    TEXT    NOT NULL,
            id       TEXT    NOT NULL,
            revision INTEGER NOT NULL,
            text     TEXT    NOT NULL,
            PRIMARY KEY (organ, id, revision)
        );
        CREATE TABLE draft_files (
            organ TEXT  NOT NULL,
            id    TEXT  NOT NULL,
            name  TEXT  NOT NULL,
            data  BYTEA NOT NULL,
            PRIMARY KEY (organ, id, name)
        );
        """
    )
