"""Drafts and their flow: 拟稿 → 核稿 (returned with comments, or passed) → 签发 → issued.

A draft is a case file in the workspace (``drafts/<id>/case.yaml``), so the command line and the
browser edit the same file; every saved text is also kept as ``history/NNNN.yaml`` and never
overwritten (the draft's version history). Where the draft stands in the flow, with every step
taken (who, when, the opinion), is ``flow.json``, written atomically under the drafts' lock.

``next_stage`` is the flow's rules as one pure function: the step, the stage it may be taken
from, the role it needs, and that nobody checks or signs off their own draft. Imports only the
shared modules; the pipeline records each step in the archive's event log and issues the draft.
"""

from __future__ import annotations

import contextlib
import enum
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from docgen._io import atomic_write_bytes, exclusive_lock, now
from docgen.errors import FlowError

DRAFTS_DIR = "drafts"
CASE_FILE = "case.yaml"
FLOW_FILE = "flow.json"
HISTORY_DIR = "history"
PREVIEW_DIR = "preview"
WORD_SOURCE = "source.docx"  # the Word draft a draft was read from (docgen format)
WORD_ROLES = "roles.json"  # the roles a clerk corrected in it
KEPT_FILES = frozenset({WORD_SOURCE, WORD_ROLES})
LOCK_FILE = ".lock"
LOCK_TIMEOUT_S = 30.0
MAX_OPINION_CHARS = 500
_ID = re.compile(r"[0-9a-f]{12}")


class Stage(enum.StrEnum):
    """Where a draft stands; ``label`` is what the office calls it."""

    DRAFTING = "drafting"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PASSED = "passed"
    SIGNED = "signed"
    ISSUED = "issued"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The stage as a clerk reads it in a list."""
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.DRAFTING: "拟稿中",
    Stage.SUBMITTED: "待核稿",
    Stage.RETURNED: "退回修改",
    Stage.PASSED: "待签发",
    Stage.SIGNED: "已签发，正在归档",
    Stage.ISSUED: "已归档",
    Stage.FAILED: "归档未完成",
}


@dataclass(frozen=True)
class Rule:
    """One step of the flow: from which stages, needing which action (accounts.PERMITTED), to where."""

    name: str
    action: str
    from_stages: tuple[Stage, ...]
    to: Stage
    by_author: bool  # True: only the draft's author; False: anyone but the author


RULES = {
    "submit": Rule("送核稿", "draft", (Stage.DRAFTING, Stage.RETURNED), Stage.SUBMITTED, by_author=True),
    "return": Rule("退回", "review", (Stage.SUBMITTED,), Stage.RETURNED, by_author=False),
    "pass": Rule("核稿通过", "review", (Stage.SUBMITTED,), Stage.PASSED, by_author=False),
    "sign_return": Rule("退回", "sign", (Stage.PASSED,), Stage.RETURNED, by_author=False),
    "sign": Rule("签发", "sign", (Stage.PASSED,), Stage.SIGNED, by_author=False),
    "retry": Rule("重新归档", "sign", (Stage.FAILED,), Stage.SIGNED, by_author=False),
}
EDITABLE = (Stage.DRAFTING, Stage.RETURNED)


@dataclass(frozen=True)
class Step:
    """One step taken: what, by whom, when, and the opinion written with it (核稿意见, 签发意见)."""

    step: str
    by: str
    time: str
    opinion: str = ""


@dataclass(frozen=True)
class Draft:
    """A draft and its flow. ``job`` tells how issuing it is going once it is signed off."""

    id: str
    kind: str
    title: str
    author: str
    created: str
    stage: Stage = Stage.DRAFTING
    steps: tuple[Step, ...] = ()
    revision: int = 1
    job: dict[str, Any] = field(default_factory=dict)
    issued: tuple[dict[str, str], ...] = ()  # archived documents: title, number, path

    def last(self, step: str) -> Step | None:
        """The latest step of this name (the 签发 the 发文稿纸 prints)."""
        return next((s for s in reversed(self.steps) if s.step == step), None)


def next_stage(draft: Draft, step: str, actor: str, may: bool, opinion: str) -> Stage:
    """The stage ``step`` by ``actor`` takes ``draft`` to, or a FlowError saying why it may not.

    ``may`` is whether the actor's roles permit the rule's action. A step back needs an opinion:
    a draft returned without a word tells its author nothing.
    """
    rule = RULES.get(step)
    if rule is None:
        msg = f"没有“{step}”这一步。"
        raise FlowError(msg)
    if draft.stage not in rule.from_stages:
        msg = f"稿件《{draft.title}》现在{draft.stage.label}，不能{rule.name}。"
        raise FlowError(msg)
    if not may:
        msg = f"你的账户不能{rule.name}。"
        raise FlowError(msg, refused=True)
    if rule.by_author and actor != draft.author:
        msg = f"只有拟稿人 {draft.author} 能{rule.name}这份稿件。"
        raise FlowError(msg, refused=True)
    if not rule.by_author and actor == draft.author:
        msg = "不能核稿或签发自己起草的稿件，请由其他同事办理。"
        raise FlowError(msg, refused=True)
    if rule.to is Stage.RETURNED and not opinion.strip():
        msg = "退回时请写明意见，拟稿人才知道要改什么。"
        raise FlowError(msg)
    if len(opinion) > MAX_OPINION_CHARS:
        msg = f"意见最多 {MAX_OPINION_CHARS} 字（现为 {len(opinion)} 字）。"
        raise FlowError(msg)
    return rule.to


class DraftStore(Protocol):
    """Where drafts live (embedded: a folder in the workspace); ``Drafts`` documents each call."""

    def create(self, kind: str, title: str, author: str, text: str) -> Draft:
        """A new draft holding ``text``."""

    def get(self, draft_id: str) -> Draft | None:
        """The draft, or None."""

    def all(self) -> list[Draft]:
        """Every draft, newest first."""

    def text(self, draft_id: str) -> str:
        """The draft's case text."""

    def case_path(self, draft_id: str) -> Path:
        """The draft's case file."""

    def preview_dir(self, draft_id: str) -> Path:
        """The folder of the draft's preview images."""

    def save_text(self, draft_id: str, text: str, title: str) -> Draft:
        """A new revision of the text."""

    def update(self, draft: Draft) -> Draft:
        """Write the draft's flow record."""

    def keep(self, draft_id: str, name: str, data: bytes) -> Path:
        """Keep a file with the draft (the Word draft it was read from)."""

    def kept(self, draft_id: str, name: str) -> Path | None:
        """A file kept with the draft, or None."""

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """One change to the drafts at a time."""


class DraftBook:
    """What every draft store does the same way; a store keeps a draft's text, its history and its flow."""

    def create(self, kind: str, title: str, author: str, text: str) -> Draft:
        """A new draft holding ``text``; its first revision kept in the history."""
        draft = Draft(secrets.token_hex(6), kind, title, author, now())
        with self.locked():
            self._new(draft, text)
        return draft

    def save_text(self, draft_id: str, text: str, title: str) -> Draft:
        """Save a new revision of the text (kept in the history too); the caller holds the lock."""
        draft = self.get(draft_id)
        if draft is None:
            msg = f"没有这份稿件：{draft_id}"
            raise FlowError(msg)
        if text == self.text(draft_id) and title == draft.title:
            return draft
        changed = replace(draft, revision=draft.revision + 1, title=title or draft.title)
        self._write_text(draft_id, text, changed.revision)
        return self.update(changed)

    def update(self, draft: Draft) -> Draft:
        """Write the draft's flow record; the caller holds the lock."""
        self._write_flow(draft)
        return draft

    @staticmethod
    def checked_id(draft_id: str) -> str:
        """A draft id as docgen makes them (twelve hex digits), else "no such draft"."""
        if not _ID.fullmatch(draft_id):
            msg = f"没有这份稿件：{draft_id}"
            raise FlowError(msg)
        return draft_id

    @staticmethod
    def flow_record(draft: Draft) -> bytes:
        """The flow record as stored: JSON of the draft."""
        return json.dumps(asdict(draft), ensure_ascii=False, indent=1).encode("utf-8")

    # What a store supplies.
    def locked(self) -> contextlib.AbstractContextManager[None]:
        """One change to the drafts at a time."""
        raise NotImplementedError

    def get(self, draft_id: str) -> Draft | None:
        """The draft, or None."""
        raise NotImplementedError

    def text(self, draft_id: str) -> str:
        """The draft's case text."""
        raise NotImplementedError

    def _new(self, draft: Draft, text: str) -> None:
        raise NotImplementedError

    def _write_text(self, draft_id: str, text: str, revision: int) -> None:
        raise NotImplementedError

    def _write_flow(self, draft: Draft) -> None:
        raise NotImplementedError


class Drafts(DraftBook):
    """Drafts as folders: ``<root>/<id>/case.yaml``, ``flow.json`` and ``history/``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One change to the drafts at a time, across processes (the CLI and the server)."""
        with exclusive_lock(self.root / LOCK_FILE, LOCK_TIMEOUT_S, "另一个 docgen 正在修改稿件，请稍后再试。"):
            yield

    def _folder(self, draft_id: str) -> Path:
        return self.root / self.checked_id(draft_id)

    def case_path(self, draft_id: str) -> Path:
        """The draft's case file, as the command line issues or renders it."""
        return self._folder(draft_id) / CASE_FILE

    def preview_dir(self, draft_id: str) -> Path:
        """Where the page images of the draft's last good preview are kept."""
        return self._folder(draft_id) / PREVIEW_DIR

    def _new(self, draft: Draft, text: str) -> None:
        self._folder(draft.id).mkdir(parents=True)
        self._write_text(draft.id, text, 1)
        self._write_flow(draft)

    def get(self, draft_id: str) -> Draft | None:
        """The draft, or None when there is none of that id."""
        try:
            raw = json.loads((self._folder(draft_id) / FLOW_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, FlowError):
            return None
        except (OSError, ValueError) as exc:
            msg = f"稿件 {draft_id} 的流转记录无法读取（{exc}）。"
            raise FlowError(msg) from exc
        return draft_from(raw)

    def all(self) -> list[Draft]:
        """Every draft, newest first."""
        if not self.root.is_dir():
            return []
        found = (self.get(p.name) for p in self.root.iterdir() if _ID.fullmatch(p.name))
        return sorted((d for d in found if d is not None), key=lambda d: d.created, reverse=True)

    def text(self, draft_id: str) -> str:
        """The draft's case text as saved last."""
        return self.case_path(draft_id).read_text(encoding="utf-8")

    def keep(self, draft_id: str, name: str, data: bytes) -> Path:
        """Keep a file with the draft (the Word draft it was read from, the roles a clerk corrected)."""
        if name not in KEPT_FILES:
            msg = f"稿件不保存这种文件：{name}"
            raise FlowError(msg)
        target = self._folder(draft_id) / name
        atomic_write_bytes(target, data)
        return target

    def kept(self, draft_id: str, name: str) -> Path | None:
        """A file kept with the draft, or None."""
        path = self._folder(draft_id) / name
        return path if name in KEPT_FILES and path.is_file() else None

    def _write_text(self, draft_id: str, text: str, revision: int) -> None:
        data = text.encode("utf-8")
        folder = self._folder(draft_id)
        atomic_write_bytes(folder / HISTORY_DIR / f"{revision:04d}.yaml", data)
        atomic_write_bytes(folder / CASE_FILE, data)

    def _write_flow(self, draft: Draft) -> None:
        atomic_write_bytes(self._folder(draft.id) / FLOW_FILE, self.flow_record(draft))


def draft_from(raw: dict[str, Any]) -> Draft:
    """The draft a flow record holds."""
    return Draft(
        id=raw["id"],
        kind=raw["kind"],
        title=raw["title"],
        author=raw["author"],
        created=raw["created"],
        stage=Stage(raw["stage"]),
        steps=tuple(Step(**s) for s in raw.get("steps", [])),
        revision=int(raw.get("revision", 1)),
        job=dict(raw.get("job") or {}),
        issued=tuple(raw.get("issued") or ()),
    )


__all__ = [
    "DRAFTS_DIR",
    "RULES",
    "WORD_ROLES",
    "WORD_SOURCE",
    "Draft",
    "DraftBook",
    "DraftStore",
    "Drafts",
    "Stage",
    "Step",
    "next_stage",
]
