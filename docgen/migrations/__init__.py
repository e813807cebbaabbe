"""Alembic's revisions of the city database's schema (``docgen.pg`` runs them)."""
