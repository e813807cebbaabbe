"""The organs of a city: which there are, and one of them seen by the 市档案员 (read only).

Every record of the city belongs to one organ, and every store a workspace opens is kept to its
own organ (``[city] organ``). Only an account holding 市档案员 looks further: the faces ask
here for the organs and for a workspace of the one looked at, and refuse everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from docgen.accounts import Account
from docgen.archive.city import CityArchive
from docgen.errors import AccountError, DocgenError
from docgen.pipeline.workspace import Workspace


@dataclass(frozen=True)
class Organ:
    """An organ of the city and how many documents its archive holds."""

    name: str
    documents: int


def city_organs(ws: Workspace) -> list[Organ]:
    """Every organ with documents in the city's archive (the city profile with its bucket only)."""
    if not isinstance(ws.archive, CityArchive):
        msg = "本工作区不是城市版（或没有设置对象存储），只有本局的文件。"
        raise DocgenError(msg)
    return [Organ(name, count) for name, count in ws.archive.organs()]


def organ_workspace(ws: Workspace, organ: str, account: Account | None) -> Workspace:
    """The workspace of ``organ`` for ``account`` to read; refused unless the account is 市档案员."""
    if ws.settings.city is not None and organ == ws.settings.city.organ:
        return ws
    if account is None or not account.may("read_other_organs"):
        msg = "只有市档案员可以查阅其他机关的文件。"
        raise AccountError(msg)
    if organ not in {o.name for o in city_organs(ws)}:
        msg = f"城市版中没有“{organ}”的归档文件。"
        raise DocgenError(msg)
    return ws.of_organ(organ)


__all__ = ["Organ", "city_organs", "organ_workspace"]
