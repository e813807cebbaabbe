"""Benchmark: storing and verifying documents in the embedded archive and in the city's, in the same run.

Each document is a 300 KB "PDF", its DOCX-sized companion and its text, stored through the
archive's own ``store`` (digests, manifests, meta.json, the chained event): the embedded archive
(folders on this disk, the baseline) and the city's (every file put, locked, into a SeaweedFS
bucket this run starts on loopback; the record and the event in a PostgreSQL it starts too).
Then ``verify`` of each (the city reads every copy back from the bucket). Usage:

    .venv/bin/python -m bench.bench_archive [DOCUMENTS]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from docgen.archive.city import CityArchive
from docgen.archive.objects import LockedBucket
from docgen.archive.records import ArchiveMeta
from docgen.archive.store import Archive, StagedDocument
from docgen.pg import Database
from tools.city import ACCESS_KEY, SECRET_KEY, start_object_store, start_postgres

RETENTION = {"notice": "Y", "other": "D10"}


def staged(i: int) -> StagedDocument:
    """One document of its own content (random bytes: nothing is stored twice by chance)."""
    meta: ArchiveMeta = {"issuer": "恩平市科工商务局", "enterprises": [], "pages": 3}
    return StagedDocument(
        identity=f"bench.yaml#{i}",
        fingerprint=uuid.uuid4().hex,
        kind="notice",
        kind_name="通知",
        title=f"关于第{i}批工作的通知",
        date=f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}",
        files={
            "document.pdf": b"%PDF-1.7\n" + os.urandom(300_000),
            "document.docx": os.urandom(40_000),
            "text.txt": f"关于第{i}批工作的通知。".encode() * 200,
        },
        meta=meta,
        number=f"恩科工商务字〔2021〕{i + 1}号",
    )


def timed(archive: Archive, documents: list[StagedDocument]) -> tuple[float, float]:
    """(seconds to store them all, seconds to verify the archive)."""
    started = time.perf_counter()
    for document in documents:
        assert archive.store(document).status == "issued"
    stored = time.perf_counter() - started
    started = time.perf_counter()
    report = archive.verify()
    assert report.ok and report.documents == len(documents), report.sections()
    return stored, time.perf_counter() - started


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    documents = [staged(i) for i in range(count)]
    pg_folder = Path(tempfile.mkdtemp(prefix="bench-archive-pg-"))
    s3_folder = Path(tempfile.mkdtemp(prefix="bench-archive-s3-"))
    work = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    server = start_postgres(pg_folder)
    store = start_object_store(s3_folder)
    try:
        embedded = timed(Archive(work / "embedded"), documents)
        bucket = LockedBucket(
            store.endpoint, "bench-archive", region="us-east-1", access_key=ACCESS_KEY, secret_key=SECRET_KEY
        )
        database = Database(server.create_database("bencharchive"))
        city = timed(CityArchive(work / "city", bucket, "恩平市科工商务局", RETENTION, database), documents)
        for name, (stored, verified) in (("embedded", embedded), ("city", city)):
            ratio = "baseline" if name == "embedded" else f"{stored / embedded[0]:.2f}x / {verified / embedded[1]:.2f}x"
            print(
                f"{name:8}: store {count} documents in {stored:6.2f} s ({count / stored:6.1f}/s), "
                f"verify in {verified:6.2f} s ({count / verified:6.1f}/s)  [{ratio}]"
            )
    finally:
        Database.close_all()
        store.stop()
        server.stop()
        for folder in (pg_folder, s3_folder, work):
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
