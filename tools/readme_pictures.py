"""Regenerate the README's pictures of printed pages from what ``make demo`` made (developer tool).

Run after ``make demo``: ``.venv/bin/python tools/readme_pictures.py``. Pages are rasterised with
pdftoppm, as a reader sees them; the joint notice is rendered here from the example case with
four organs, twelve 主送 and a long 抄送 (the 主送 then goes to the 版记).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from PIL import Image

from docgen.readback import read_pdf

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo"
DOCS = REPO / "docs"
GAP = 8  # pixels between pages


def page_image(pdf: Path, page: int, dpi: int) -> Image.Image:
    """Page ``page`` (1-based) of ``pdf`` as an RGB image at ``dpi``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "page"
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png", str(pdf), str(out)],
            check=True,
        )
        with Image.open(f"{out}.png") as image:
            return image.convert("RGB")


def side_by_side(images: list[Image.Image]) -> Image.Image:
    """The pages in a row on a grey ground."""
    width = sum(i.width for i in images) + GAP * (len(images) - 1)
    row = Image.new("RGB", (width, max(i.height for i in images)), (128, 128, 128))
    x = 0
    for image in images:
        row.paste(image, (x, 0))
        x += image.width + GAP
    return row


def first_page_with(pdf: Path, text: str) -> int:
    """The first page (1-based) headed by ``text`` (within its first lines; white space ignored)."""
    wanted = "".join(text.split())
    for number, page in enumerate(read_pdf(pdf).pages, start=1):
        if wanted in "".join(page.split())[: len(wanted) + 12]:
            return number
    msg = f"{pdf}: no page holds {text}"
    raise SystemExit(msg)


def archived(name: str) -> Path:
    """The archived PDF of the demo whose folder name holds ``name``."""
    found = sorted(DEMO.glob(f"archive/*/*/*/*{name}*/document.pdf"))
    if not found:
        msg = f"run make demo first: no archived {name}"
        raise SystemExit(msg)
    return found[0]


def joint_notice(folder: Path) -> Path:
    """The example notice issued by four organs to twelve 主送, rendered into ``folder``."""
    data = yaml.safe_load((REPO / "examples" / "enping-2021" / "case.yaml").read_text(encoding="utf-8"))
    notice = data["notice"]
    notice["joint"] = [{"name": n} for n in ("恩平市发展和改革局", "江门市生态环境局恩平分局", "恩平市应急管理局")]
    towns = ("横陂", "圣堂", "良西", "沙湖", "牛江", "君堂", "大槐", "东成", "那吉", "大田")
    notice["recipients"] = "、".join(["恩城街道办事处", *(f"{t}镇人民政府" for t in towns), "恩平工业园管委会"])
    notice["copy_to"] = ["江门市工业和信息化局", "江门市发展和改革局", "江门市生态环境局", "江门市应急管理局"]
    case = folder / "joint.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    docgen = [sys.executable, "-m", "docgen", "-w", str(folder)]
    subprocess.run([*docgen, "render", str(case), "-k", "notice", "-o", str(folder), "--format", "pdf"], check=True)
    return folder / "notice.pdf"


def main() -> None:
    """Write docs/kind-*.png, docs/pages.png and docs/joint-notice.png."""
    out = DEMO / "out"
    set_pdf, notice = out / "set.pdf", out / "notice.pdf"
    example = yaml.safe_load((REPO / "examples" / "enping-2021" / "case.yaml").read_text(encoding="utf-8"))
    plan_page = first_page_with(set_pdf, example["plan"]["title"])
    tasks_page = first_page_with(set_pdf, example["tasks"]["title"])
    announcement, acceptance = archived("公告"), archived("验收记录-恩平市恒达钢铁有限公司")
    kinds = {
        "notice": (notice, 1),
        "plan": (set_pdf, plan_page),
        "tasks": (set_pdf, tasks_page),
        "acceptance": (acceptance, 1),
        "announcement": (announcement, 1),
        "request": (out / "request.pdf", 1),
        "report": (out / "report.pdf", 1),
        "letter": (out / "letter.pdf", 1),
        "minutes": (out / "minutes.pdf", 1),
    }
    for kind, (pdf, page) in kinds.items():
        page_image(pdf, page, 36).save(DOCS / f"kind-{kind}.png", optimize=True)
    pages = [(set_pdf, 1), (set_pdf, plan_page), (set_pdf, tasks_page), (announcement, 1), (acceptance, 1)]
    side_by_side([page_image(pdf, page, 47) for pdf, page in pages]).save(DOCS / "pages.png", optimize=True)
    with tempfile.TemporaryDirectory() as tmp:
        joint = joint_notice(Path(tmp))
        count = len(read_pdf(joint).pages)
        shown = [page_image(joint, page, 36) for page in range(1, count + 1)]
        side_by_side(shown).save(DOCS / "joint-notice.png", optimize=True)
    sys.stdout.write(f"docs/: kind-*.png ({len(kinds)}), pages.png, joint-notice.png ({count} pages)\n")


if __name__ == "__main__":
    main()
