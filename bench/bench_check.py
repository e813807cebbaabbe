"""Benchmark: ``archive check`` (DA/T 70 四性检测) over a generated archive of many documents.

The example case is issued for real once; its six 验收记录 (PDF/A, DOCX, text) are then filed
again and again through ``Archive.store`` — the same write-once path an issue takes — under new
titles and dates spread over ten years, until the archive holds N documents. Measured in this
process, on files the page cache holds after generation:

- baseline: reading every stored byte, no hashing;
- SHA-256 alone, then SHA-256 + SM3 (one read, both digests) — the fixity part of the check;
- the whole check, every item, first in one process, then as ``docgen archive check`` runs it
  (documents judged on every core).

Usage: ``.venv/bin/python -m bench.bench_check [N]`` (N defaults to 10,000; about 2 GB on disk).
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from docgen.archive.digests import SM3_PROVIDER, file_digests
from docgen.archive.records import ArchiveMeta
from docgen.archive.store import Archive, StagedDocument
from docgen.pipeline import check
from docgen.pipeline.check import FAIL, POOL_FROM, check_archive
from docgen.pipeline.issue import issue_case
from docgen.pipeline.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
CHUNK = 1 << 20


def generate(ws: Path, count: int) -> float:
    """Issue the example, then file copies of its 验收记录 until the archive holds ``count``."""
    shutil.copy(REPO / "examples" / "enping-2021" / "case.yaml", ws / "case.yaml")
    workspace = Workspace.open(ws, env={})
    issue_case(ws / "case.yaml", workspace)
    archive = Archive(workspace.settings.archive_dir)
    sources = [
        (folder, meta)
        for meta in archive.metas()
        if meta["kind"] == "acceptance"
        for folder in [archive.root / meta["path"]]
    ]
    started = time.perf_counter()
    for n in range(count - len(archive.metas())):
        folder, meta = sources[n % len(sources)]
        name = f"恩平市测试{n:05d}号实业有限公司"
        staged = StagedDocument(
            identity=f"bench:{n}",
            fingerprint=f"bench:{n}",
            kind="acceptance",
            kind_name="验收记录",
            title=f"{name}落后产能退出验收记录",
            date=f"{2016 + n % 10}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            enterprise_name=name,
            files={f: folder / f for f in ("document.pdf", "document.docx", "text.txt")},
            meta=ArchiveMeta(source="import", issuer=str(meta["issuer"]), pages=meta["pages"], event="imported"),
        )
        archive.store(staged)
        if n % 1000 == 999:
            print(f"  filed {n + 1:,} …", file=sys.stderr)
    return time.perf_counter() - started


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.glob("*/*/*/*/*") if p.is_file()]


def read_only(files: list[Path]) -> None:
    for path in files:
        with path.open("rb") as fh:
            while fh.read(CHUNK):
                pass


def sha256_only(files: list[Path]) -> None:
    for path in files:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)


def timed(label: str, work: object, *args: object) -> float:
    started = time.perf_counter()
    work(*args)  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.2f} s", file=sys.stderr)
    return seconds


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp_name:
        ws = Path(tmp_name)
        generating_s = generate(ws, count)
        workspace = Workspace.open(ws, env={})
        files = stored_files(workspace.settings.archive_dir)
        total = sum(p.stat().st_size for p in files)
        mb = total / 1e6
        read_only(files)  # warm the page cache evenly for every pass below
        read_s = timed("read", read_only, files)
        sha_s = timed("sha256", sha256_only, files)
        both_s = timed("sha256+sm3", lambda fs: [file_digests(p) for p in fs], files)
        check.POOL_FROM = count + 1  # first in this process alone
        started = time.perf_counter()
        alone = check_archive(workspace)
        alone_s = time.perf_counter() - started
        check.POOL_FROM = POOL_FROM
        started = time.perf_counter()
        report = check_archive(workspace)
        check_s = time.perf_counter() - started
        for done in (alone, report):
            failed = [f"{i.code} {i.files[:2]}" for i in done.items if i.result == FAIL]
            assert not failed, failed
            assert done.documents == count, done.documents
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"archive: {report.documents:,} documents, {len(files):,} files, {mb:,.0f} MB, filed in {generating_s:.0f} s")
    print(f"SM3 from {SM3_PROVIDER}")
    print(f"read every byte, no digest     : {read_s:6.2f} s  {mb / read_s:7.0f} MB/s [baseline]")
    print(f"SHA-256                        : {sha_s:6.2f} s  {mb / sha_s:7.0f} MB/s  ratio {sha_s / read_s:.1f}x")
    print(f"SHA-256 + SM3, one read        : {both_s:6.2f} s  {mb / both_s:7.0f} MB/s  ratio {both_s / read_s:.1f}x")
    per_doc = 1000 / report.documents
    print(
        f"archive check, one process     : {alone_s:6.2f} s  {report.documents / alone_s:7.0f} documents/s"
        f"  ({alone_s * per_doc:.1f} ms/document)  ratio {alone_s / read_s:.0f}x"
    )
    print(
        f"archive check, {os.cpu_count()} processes    : {check_s:6.2f} s"
        f"  {report.documents / check_s:7.0f} documents/s  ({check_s * per_doc:.1f} ms/document)"
        f"  {alone_s / check_s:.1f}x faster than one process"
    )
    print(f"peak RSS, checking process     : {peak_mb:6.0f} MB (largest child process {worker_mb:.0f} MB)")


if __name__ == "__main__":
    main()
