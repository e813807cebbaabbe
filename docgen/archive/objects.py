"""Write-once copies of the archive in S3 object storage with object lock (COMPLIANCE mode).

A folder on a server's disk can be deleted by whoever holds the server; an object under a
COMPLIANCE lock cannot, by anyone, until its retention date, and the date cannot be brought
forward. Every file of every archived document is put in the city's bucket under
``<organ>/<folder>/<file>``, locked for as long as its 保管期限 (永久: ``FOREVER_YEARS``, renewed by
``docgen archive lock --renew``), with its SHA-256 beside it; a put never replaces an object
(``If-None-Match: *``). ``archive verify`` compares each file with its locked copy.

The store is asked, not trusted: a bucket without object lock is refused, and the tests try to
delete a locked object and to shorten its retention (older SeaweedFS releases accepted both).
boto3 loads only when a bucket is named (``pip install 'docgen[city]'``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.archive.digests import ALGORITHMS, file_digests, new_hash
from docgen.errors import ArchiveError

FOREVER_YEARS = 100  # 永久: the longest a retention date is set at once; renewed before it runs out
RETENTION_YEARS = {"Y": FOREVER_YEARS, "D30": 30, "D10": 10}  # DA/T 22 保管期限 → years locked
LOCK_MODE = "COMPLIANCE"
CHUNK_BYTES = 1 << 20


def retain_until(year: int, retention: str, *, today: dt.date | None = None) -> dt.datetime:
    """The end of the 保管期限 of a document of ``year``: the year's end plus its years (永久 counted from today)."""
    years = RETENTION_YEARS.get(retention, RETENTION_YEARS["D10"])
    start = max(year, (today or dt.date.today()).year) if retention == "Y" else year
    return dt.datetime(start + years, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


@dataclass(frozen=True)
class LockedCopy:
    """What the bucket holds of one file: its SHA-256 as put, its lock and how long."""

    key: str
    sha256: str | None
    mode: str | None
    until: dt.datetime | None


class LockedBucket:
    """One S3 bucket with object lock, reached with the keys in the settings."""

    def __init__(
        self, endpoint: str, bucket: str, *, region: str, access_key: str | None, secret_key: str | None
    ) -> None:
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self._keys = (access_key, secret_key)
        self._client: Any = None
        self._checked = False

    @property
    def client(self) -> Any:
        """The S3 client, made on first use (boto3 loads only then)."""
        if self._client is None:
            try:
                import boto3  # noqa: PLC0415 - only the city profile with a bucket needs it
                from botocore.config import Config  # noqa: PLC0415
            except ImportError as exc:
                msg = "对象存储需要 boto3：pip install 'docgen[city]'。"
                raise ArchiveError(msg) from exc
            self._client = boto3.client(
                "s3",
                endpoint_url=self.endpoint,
                region_name=self.region,
                aws_access_key_id=self._keys[0],
                aws_secret_access_key=self._keys[1],
                config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=60),
            )
        return self._client

    def _said(self, exc: Exception) -> str:
        response = getattr(exc, "response", None) or {}
        error = response.get("Error", {}) if isinstance(response, dict) else {}
        return f"{error.get('Code', type(exc).__name__)}：{error.get('Message') or exc}"

    def ensure(self) -> None:
        """The bucket exists with object lock on (made so when missing); else an ``ArchiveError``."""
        if self._checked:
            return
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        try:
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                    raise
                self.client.create_bucket(Bucket=self.bucket, ObjectLockEnabledForBucket=True)
            config = self.client.get_object_lock_configuration(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            msg = f"对象存储 {self.endpoint} 的桶 {self.bucket} 无法使用：{self._said(exc)}"
            raise ArchiveError(msg) from exc
        if config.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") != "Enabled":
            msg = (
                f"对象存储的桶 {self.bucket} 没有开启对象锁定（object lock），归档文件放在那里可以被删除："
                "请换一个开启了对象锁定的桶。"
            )
            raise ArchiveError(msg)
        self._checked = True

    def put(self, key: str, path: Path, until: dt.datetime) -> str:
        """Put a file once, locked until ``until``; an object already there must be the same file.

        Returns "put" or "there".
        """
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        self.ensure()
        sha256 = file_digests(path, ("sha256",))["sha256"]
        try:
            with path.open("rb") as body:  # streamed: a 300-page scan is not held in memory
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=body,
                    Metadata={"sha256": sha256},
                    ObjectLockMode=LOCK_MODE,
                    ObjectLockRetainUntilDate=until,
                    IfNoneMatch="*",
                )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("PreconditionFailed", "412"):
                msg = f"归档文件 {key} 未能存入对象存储：{self._said(exc)}"
                raise ArchiveError(msg) from exc
            there = self.copy_of(key)
            if there is None or there.sha256 != sha256:
                msg = f"对象存储中已有 {key}，但内容不同（{there.sha256 if there else '读不到'}）：未覆盖，请核对。"
                raise ArchiveError(msg) from exc
            return "there"
        except BotoCoreError as exc:
            msg = f"归档文件 {key} 未能存入对象存储：{exc}"
            raise ArchiveError(msg) from exc
        return "put"

    @contextlib.contextmanager
    def _reaching(self, what: str) -> Iterator[None]:
        """The store's own errors (refused, out of reach) said as an ``ArchiveError`` naming ``what``."""
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        try:
            yield
        except (ClientError, BotoCoreError) as exc:
            msg = f"对象存储 {self.endpoint} 的桶 {self.bucket}：{what}未成：{self._said(exc)}"
            raise ArchiveError(msg) from exc

    def copy_of(self, key: str) -> LockedCopy | None:
        """What the bucket holds under ``key`` (its newest version), or None."""
        from botocore.exceptions import ClientError  # noqa: PLC0415

        self.ensure()
        with self._reaching(f"读取 {key} "):
            try:
                head = self.client.head_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                    return None
                raise
        return LockedCopy(
            key,
            head.get("Metadata", {}).get("sha256"),
            head.get("ObjectLockMode"),
            head.get("ObjectLockRetainUntilDate"),
        )

    def extend(self, key: str, until: dt.datetime) -> bool:
        """Move a copy's retention date out to ``until`` (never in); whether it changed."""
        copy = self.copy_of(key)
        if copy is None or (copy.until is not None and copy.until >= until):
            return False
        with self._reaching(f"延长 {key} 的保留期"):
            self.client.put_object_retention(
                Bucket=self.bucket, Key=key, Retention={"Mode": LOCK_MODE, "RetainUntilDate": until}
            )
        return True

    def read(self, key: str, sink: Callable[[bytes], object]) -> LockedCopy | None:
        """Stream the newest version of ``key`` into ``sink`` chunk by chunk; what it is, or None when absent."""
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        self.ensure()
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=key)
            for chunk in got["Body"].iter_chunks(CHUNK_BYTES):
                sink(chunk)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            msg = f"读不到对象存储中的 {key}：{self._said(exc)}"
            raise ArchiveError(msg) from exc
        except BotoCoreError as exc:
            msg = f"读不到对象存储中的 {key}：{exc}"
            raise ArchiveError(msg) from exc
        return LockedCopy(
            key, got.get("Metadata", {}).get("sha256"), got.get("ObjectLockMode"), got.get("ObjectLockRetainUntilDate")
        )

    def digests(self, key: str) -> tuple[LockedCopy, dict[str, str]] | None:
        """The copy under ``key`` read whole and hashed (every algorithm the archive uses), or None."""
        hashers = {algorithm: new_hash(algorithm) for algorithm in ALGORITHMS}

        def feed(chunk: bytes) -> None:
            for hasher in hashers.values():
                hasher.update(chunk)

        copy = self.read(key, feed)
        return None if copy is None else (copy, {a: h.hexdigest() for a, h in hashers.items()})

    def any_under(self, prefix: str) -> bool:
        """Whether anything is stored under ``prefix`` (a folder a killed process began to put)."""
        self.ensure()
        with self._reaching("列出文件"):
            listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=1)
        return bool(listed.get("KeyCount") or listed.get("Contents"))

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``."""
        self.ensure()
        with self._reaching("列出文件"):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            return [str(item["Key"]) for page in pages for item in page.get("Contents", [])]


__all__ = ["FOREVER_YEARS", "RETENTION_YEARS", "LockedBucket", "LockedCopy", "retain_until"]
