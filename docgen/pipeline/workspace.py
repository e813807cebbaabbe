"""One workspace: its settings and its three stores, each opened once for everything a command does.

Every command of the CLI and every page of the web app goes through a ``Workspace``. It holds:

- ``numbers``: the 发文字号 registry, which never hands out a number twice (embedded: SQLite);
- ``archive``: the documents, write-once folders of files with their records and the chained
  event log (embedded: the dated tree on disk);
- ``search``: the full-text index derived from the archive (embedded: tantivy, or whoosh);
- ``accounts``: the people who sign in and their roles (embedded: SQLite, argon2id hashes);
- ``drafts``: case files being drafted, checked and signed off, with their flow (embedded: a
  folder of case files in the workspace, so the browser and the command line edit the same files;
  the city: rows every server and worker of the organ sees, the files cached in the same folder).

Each part declares its store as a protocol (``NumberStore``, ``DocumentStore``, ``SearchStore``)
with today's classes as the embedded implementations. With ``[city] database`` set (the server
profile), the city's PostgreSQL takes over behind the same protocols: the numbers
(``numbering.postgres``), the accounts (``accounts.postgres``) and the search
(``search.postgres_backend``); with ``[city] objects`` the archive too (``archive.city``): its
records and chained event log in PostgreSQL, every file locked in the city's S3 bucket, the
workspace's ``archive/`` folder this server's cache of it; and the drafts (``drafts.postgres``).
``changed()`` is the one notion of "the archive changed" every cache keys on: every store
appends an event to the log.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from docgen.accounts import ACCOUNTS_FILE, Accounts, AccountStore
from docgen.archive.paths import REGISTRY, safe_name
from docgen.archive.store import Archive, DocumentStore
from docgen.config import Settings, load_settings
from docgen.drafts import DRAFTS_DIR, Drafts, DraftStore
from docgen.errors import DocgenError
from docgen.jobs import JobStore
from docgen.numbering.registry import NumberStore, Registry
from docgen.pg import Database
from docgen.search import SearchIndex, SearchStore


class Workspace:
    """A workspace's settings and its stores, each opened once (the search index when first asked for)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.archive: DocumentStore = Archive(settings.archive_dir)
        self.numbers: NumberStore = Registry(registry_path(settings))
        self.accounts: AccountStore = Accounts(settings.workspace / ACCOUNTS_FILE)
        self.database: Database | None = None
        self.jobs: JobStore | None = None  # queued work: the city profile's only
        if settings.city is not None:  # the server profile: the city's PostgreSQL keeps the records
            from docgen.accounts.postgres import PgAccounts  # noqa: PLC0415
            from docgen.jobs import PgJobs  # noqa: PLC0415
            from docgen.numbering.postgres import PgRegistry  # noqa: PLC0415 - only the city profile loads psycopg

            self.database = Database(settings.city.database)
            self.numbers = PgRegistry(self.database, settings.city.organ)
            self.accounts = PgAccounts(self.database, settings.city.organ)
            self.jobs = PgJobs(self.database, settings.city.organ)
            city = settings.city
            if city.objects:  # records and events in the database, every file locked in the city's bucket
                from docgen.archive.city import CityArchive  # noqa: PLC0415
                from docgen.archive.objects import LockedBucket  # noqa: PLC0415

                bucket = LockedBucket(
                    city.objects,
                    city.bucket,
                    region=city.region,
                    access_key=city.access_key,
                    secret_key=city.secret_key,
                )
                self.archive = CityArchive(
                    settings.archive_dir, bucket, city.organ, settings.filing.retention, self.database
                )
        self.drafts: DraftStore = Drafts(settings.workspace / DRAFTS_DIR)
        if self.database is not None and settings.city is not None:  # every server and worker sees one flow
            from docgen.drafts.postgres import PgDrafts  # noqa: PLC0415

            self.drafts = PgDrafts(self.database, settings.city.organ, settings.workspace / DRAFTS_DIR)
        self._search: SearchStore | None = None
        self._origin: str | None = None

    @classmethod
    def open(cls, path: Path | None = None, env: Mapping[str, str] | None = None) -> Workspace:
        """The workspace at ``path`` (default: ``DOCGEN_WORKSPACE``, else the current folder)."""
        return cls(load_settings(path, env))

    @property
    def search(self) -> SearchStore:
        """The search index; its engine loads on first use, so commands that do not search never pay."""
        if self._search is None and self.database is not None and self.settings.city is not None:
            from docgen.search.postgres_backend import PgSearchIndex  # noqa: PLC0415 - the city profile's

            self._search = PgSearchIndex(
                self.archive, self.database, self.settings.city.organ, classified_text=self.settings.show_classified
            )
        if self._search is None:
            self._search = SearchIndex(
                self.archive,
                self.settings.index_dir,
                engine=self.settings.search_engine,
                lock_timeout=self.settings.index_lock_timeout,
                classified_text=self.settings.show_classified,
            )
        return self._search

    @property
    def origin(self) -> str:
        """Which workspace of the city a case file is in ("" for the embedded one, and one moved in).

        A case is named by its place in the workspace (``case.yaml``); in the city several
        workspaces of one organ share a ledger and an archive, and two of them each with a
        ``case.yaml`` hold two different documents. So the city names a case by its workspace's
        origin too: a random id kept in ``.docgen-origin``, made on first use (``docgen migrate``
        writes an empty one: the names the workspace's documents had stay theirs).
        """
        if self._origin is None:
            self._origin = "" if self.settings.city is None else read_origin(self.root)
        return self._origin

    def with_origin(self, origin: str, root: Path) -> Workspace:
        """This workspace's stores, naming cases as the workspace ``origin`` does, its cases under ``root``.

        A worker doing a job another workspace queued: the case is written under ``root`` at the
        place it had there, so it is named as it was there (the same number, the same document).
        """
        other = copy.copy(self)
        other.settings = dataclasses.replace(self.settings, workspace=root)
        other._origin = origin
        return other

    @property
    def root(self) -> Path:
        """The workspace folder."""
        return self.settings.workspace

    def of_organ(self, organ: str) -> Workspace:
        """The same city seen as another organ sees it: its ledger, archive and search (read by 市档案员).

        Its files are cached apart from this organ's, under ``.cache/organs/``: two organs' folders
        may have the same name.
        """
        if self.settings.city is None:
            msg = "只有城市版才有其他机关。"
            raise DocgenError(msg)
        cache = self.root / ".cache" / "organs" / safe_name(organ)
        city = dataclasses.replace(self.settings.city, organ=organ)
        return Workspace(dataclasses.replace(self.settings, city=city, archive_dir=cache / "archive"))

    def changed(self) -> tuple[int, int]:
        """The archive's generation: equal values mean nothing was stored, voided or checked since."""
        return self.archive.log.generation()


ORIGIN_FILE = ".docgen-origin"


def read_origin(root: Path) -> str:
    """The workspace's origin id, made once (the first process to make it wins; the rest read it)."""
    path = root / ORIGIN_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    except OSError:  # a workspace this process may not write (a read-only copy): it issues nothing
        return ""
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_hex(6))
        out.flush()
        os.fsync(out.fileno())
    return path.read_text(encoding="utf-8").strip()


def registry_path(settings: Settings) -> Path:
    """The registry's file: as the settings name it, else ``registry.sqlite3`` in the archive."""
    return settings.registry_path or settings.archive_dir / REGISTRY
