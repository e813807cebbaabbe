"""The archive's records and its chained event log, per organ (the files are in the bucket)."""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    """Records as the exact meta.json bytes; events as the exact JSON lines the chain hashes; a head per organ.

    Text, not JSONB: the chain and the manifests vouch for bytes, and JSONB would reorder keys.
    The head row is what appends lock (``FOR UPDATE``), and it says what came last, so an event
    deleted from the end is found as ``events.head`` finds it in the embedded archive.
    """
    op.execute(
        """
        CREATE TABLE archive_records (
            organ       TEXT        NOT NULL,
            path        TEXT        NOT NULL,
            identity    TEXT        NOT NULL,
            version     INTEGER     NOT NULL,
            fingerprint TEXT,
            meta        TEXT        NOT NULL,
            stored_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
            PRIMARY KEY (organ, path),
            UNIQUE (organ, identity, version)
        );
        CREATE TABLE archive_events (
            organ TEXT   NOT NULL,
            seq   BIGINT NOT NULL,
            line  TEXT   NOT NULL,
            PRIMARY KEY (organ, seq)
        );
        CREATE TABLE archive_heads (
            organ TEXT   PRIMARY KEY,
            count BIGINT NOT NULL,
            sm3   TEXT   NOT NULL
        );
        """
    )
