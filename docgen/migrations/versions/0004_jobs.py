"""Jobs: issuing work queued in the database and taken by any number of ``docgen worker`` processes."""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    """One row per job; a running job holds a lease it renews, and is taken again when the lease runs out."""
    op.execute(
        """
        CREATE TABLE jobs (
            id          BIGSERIAL PRIMARY KEY,
            organ       TEXT        NOT NULL,
            kind        TEXT        NOT NULL,
            payload     JSONB       NOT NULL,
            state       TEXT        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
            attempts    INTEGER     NOT NULL DEFAULT 0,
            queued_by   TEXT        NOT NULL,
            queued_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
            taken_by    TEXT,
            lease_until TIMESTAMPTZ,
            done_at     TIMESTAMPTZ,
            result      JSONB,
            error       TEXT
        );
        CREATE INDEX jobs_waiting ON jobs (id) WHERE state IN ('queued', 'running');
        """
    )
