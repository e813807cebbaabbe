"""Fixity: SHA-256 and SM3 (GB/T 32905-2016) digests, always stored with the algorithm's name.

Chinese archive systems expect SM3; the wider world reads SHA-256; docgen stores both, each file
read once. SM3 comes from Python's hashlib when its OpenSSL has it (OpenSSL 3 does), else from
the ``cryptography`` package; ``SM3_PROVIDER`` says which, and the archive records it.
"""

from __future__ import annotations

import hashlib
import re
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from docgen._io import open_plain, read_plain

ALGORITHMS = ("sha256", "sm3")
CHUNK = 1 << 20


class _Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


class _CryptographySM3:
    """The ``cryptography`` package's SM3 behind hashlib's two methods."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives import hashes  # noqa: PLC0415 - only where hashlib lacks SM3

        self._hash = hashes.Hash(hashes.SM3())

    def update(self, data: bytes, /) -> None:
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.finalize().hex()


def _sm3_factory() -> tuple[Callable[[], _Hash], str]:
    if "sm3" in hashlib.algorithms_available:
        return (lambda: hashlib.new("sm3")), f"hashlib ({ssl.OPENSSL_VERSION})"
    import cryptography  # noqa: PLC0415

    return _CryptographySM3, f"cryptography {cryptography.__version__}"


_new_sm3, SM3_PROVIDER = _sm3_factory()


def new_hash(algorithm: str) -> _Hash:
    """A fresh hash object for "sha256" or "sm3"."""
    return _new_sm3() if algorithm == "sm3" else hashlib.new(algorithm)


def digest_bytes(data: bytes, algorithm: str) -> str:
    """The hex digest of ``data``."""
    h = new_hash(algorithm)
    h.update(data)
    return h.hexdigest()


def file_digests(path: Path, algorithms: tuple[str, ...] = ALGORITHMS) -> dict[str, str]:
    """{algorithm: hex digest} of one file, reading it once."""
    hashes = {name: new_hash(name) for name in algorithms}
    with open_plain(path) as fh:  # a FIFO or /dev/zero put in a document's place is refused, not read
        while chunk := fh.read(CHUNK):
            for h in hashes.values():
                h.update(chunk)
    return {name: h.hexdigest() for name, h in hashes.items()}


def write_with_digests(target: Path, content: Path | bytes, algorithms: tuple[str, ...] = ALGORITHMS) -> dict[str, str]:
    """Write ``content`` (a file to copy, or bytes) to ``target`` and digest it in the same pass."""
    hashes = {name: new_hash(name) for name in algorithms}
    with target.open("wb") as out:
        if isinstance(content, bytes):
            out.write(content)
            for h in hashes.values():
                h.update(content)
        else:
            with content.open("rb") as source:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
                    for h in hashes.values():
                        h.update(chunk)
    return {name: h.hexdigest() for name, h in hashes.items()}


def manifest_name(algorithm: str) -> str:
    """BagIt's name for the manifest of one algorithm: manifest-sha256.txt, manifest-sm3.txt."""
    return f"manifest-{algorithm}.txt"


def manifest_text(digests: dict[str, str]) -> str:
    """A BagIt manifest: "<digest>  <file>" per line, sorted by file name."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items()))


MAX_MANIFEST_BYTES = 1 << 20  # a folder holds a dozen files: a manifest of a megabyte is not one


def read_manifest(path: Path, bad_lines: list[str] | None = None) -> dict[str, str]:
    """{file: digest} from a manifest; lines that are not "<hex digest>  <plain file name>" are left out.

    A name with a slash or ``..`` would send a check to read files outside the folder (even
    ``/dev/zero``). Each line left out is described in ``bad_lines`` when given: a manifest
    docgen wrote has none.
    """
    try:
        data = read_plain(path, MAX_MANIFEST_BYTES)[:MAX_MANIFEST_BYTES]
    except OSError as exc:  # a link or a FIFO in a manifest's place
        if bad_lines is not None:
            bad_lines.append(f"无法读取（{exc.strerror}）")
        return {}
    out = {}
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if _HEX.fullmatch(digest) and name and plain_file_name(name):
            out[name] = digest
        elif bad_lines is not None:
            bad_lines.append(f"第{number}行不是“校验值  文件名”：{line[:60]}")
    return out


_HEX = re.compile(r"[0-9a-f]{64}")


def plain_file_name(name: str) -> bool:
    """A name that stays inside its folder: no separator, not . or .., no control character."""
    return name not in (".", "..") and "/" not in name and "\\" not in name and name.isprintable()
