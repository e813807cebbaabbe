"""Accounts: one per person and organ, passwords as argon2id hashes, roles as the embedded file keeps them."""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    """The embedded ``accounts`` table with the organ in its key: a name is unique within an organ."""
    op.execute(
        """
        CREATE TABLE accounts (
            organ       TEXT    NOT NULL,
            name        TEXT    NOT NULL,
            password    TEXT    NOT NULL,
            roles       TEXT    NOT NULL,
            active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at  TEXT    NOT NULL,
            changed_at  TEXT    NOT NULL,
            PRIMARY KEY (organ, name)
        );
        """
    )
