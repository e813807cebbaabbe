"""Search: each organ's documents with their bigram tsvectors under a GIN index, and the index's state."""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    """One row per archived document and organ; ``long`` rows hold their terms without positions."""
    op.execute(
        """
        CREATE TABLE search_documents (
            organ            TEXT     NOT NULL,
            path             TEXT     NOT NULL,
            number           TEXT     NOT NULL,
            title            TEXT     NOT NULL,
            kind             TEXT     NOT NULL,
            kind_name        TEXT     NOT NULL,
            date             TEXT     NOT NULL,
            day              INTEGER  NOT NULL,
            year             INTEGER  NOT NULL,
            issuer           TEXT     NOT NULL,
            enterprises      TEXT[]   NOT NULL,
            content          TEXT     NOT NULL,
            shown            TEXT     NOT NULL,
            terms            tsvector NOT NULL,
            long             BOOLEAN  NOT NULL,
            number_terms     tsvector NOT NULL,
            enterprise_terms tsvector NOT NULL,
            PRIMARY KEY (organ, path)
        );
        CREATE INDEX search_terms ON search_documents USING GIN (terms);
        CREATE INDEX search_number_terms ON search_documents USING GIN (number_terms);
        CREATE INDEX search_enterprise_terms ON search_documents USING GIN (enterprise_terms);
        CREATE INDEX search_day ON search_documents (organ, day DESC, path);
        CREATE TABLE search_state (
            organ TEXT PRIMARY KEY,
            state JSONB NOT NULL
        );
        """
    )
