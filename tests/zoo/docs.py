"""Report documents for the zoo, made by several means so the set is not one renderer's output.

docfactory (python-docx → DOCX/PDF/DOC/XLSX/scan), our own HTML turned into PDF/DOC by LibreOffice, table
pictures drawn with Pillow (PNG/JPEG at screenshot resolutions), hand-written OFD and ZIP packages.
Every file is cached on disk by a hash of its recipe; LibreOffice work is batched by `materialize()`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tests.docfactory.docx_writer import write_docx
from tests.docfactory.html_writer import article_content, table_html
from tests.docfactory.layout import Table, body_blocks, is_heading
from tests.docfactory.random_specs import random_spec
from tests.docfactory.render import render_many
from tests.docfactory.spec import ReportSpec
from tests.docfactory.xlsx_writer import write_xlsx

RECIPE_VERSION = "zoo-docs-1"  # bump to invalidate the cache when a writer changes
CACHE = Path(os.environ.get("ZOO_CACHE", Path(tempfile.gettempdir()) / "govarchive-zoo-cache"))
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

TITLE_PATTERNS = (
    "{body}{year}年政府信息公开工作年度报告",
    "{year}年度{body}政府信息公开工作年报",
    "{body}关于{year}年政府信息公开工作的年度报告",
    "{body}{year}年度政府信息公开工作年度报告",
)


# --- specs ---------------------------------------------------------------------------------------------


def spec(body: str, year: int, seed: int, title: str | None = None, pattern: int = 0) -> ReportSpec:
    """A report of `body` for `year` with the national tables of its year (2019 or 2021 template)."""
    tpl = "2019" if year < 2021 else "2021"
    base = random_spec(seed, tpl)
    title = title or TITLE_PATTERNS[pattern % len(TITLE_PATTERNS)].format(body=body, year=year)
    paras = [p.replace(base.agency, body).replace(str(base.year), str(year)) for p in base.paragraphs]
    rng = random.Random(seed)
    return replace(
        base,
        title=title,
        agency=body,
        year=year,
        published_at=f"{year + 1}-0{rng.randint(1, 3)}-{rng.randint(10, 28)}",
        paragraphs=paras,
        figures=dict(base.figures),
    )


def corrected(original: ReportSpec, mark: str = "（更正版）") -> ReportSpec:
    """The same report republished with different figures (a later, corrected copy)."""
    figs = dict(original.figures)
    for key in list(figs):
        if key[0] == "active" and key[2] in ("issued", "made", "decisions") and figs[key].isdigit():
            figs[key] = str(int(figs[key]) + 7)
    return replace(original, title=original.title + mark, figures=figs, published_at=original.published_at)


def freeform_spec(body: str, year: int, title: str | None = None) -> ReportSpec:
    """A pre-2019 report: prose only, no national tables."""
    title = title or f"{body}{year}年政府信息公开工作年度报告"
    paras = [
        f"根据《中华人民共和国政府信息公开条例》规定，现公布{body}{year}年政府信息公开工作年度报告。",
        "一、概述",
        f"{year}年，{body}认真贯彻落实《中华人民共和国政府信息公开条例》，把政府信息公开作为转变政府职能、"
        "建设服务型政府的重要举措，不断完善工作机制，拓宽公开渠道，政府信息公开工作取得新进展。",
        "二、主动公开政府信息情况",
        f"全年共主动公开政府信息{200 + year % 97}条，其中通过政府网站公开{150 + year % 53}条，"
        "通过政务微博、微信公开信息若干条，通过公开栏、电子显示屏等其他方式公开信息若干条。",
        "三、依申请公开政府信息情况",
        f"全年共受理政府信息公开申请{year % 7}件，均已按期答复。",
        "四、政府信息公开的收费及减免情况",
        "全年未收取任何费用。",
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "全年未发生因政府信息公开申请提起的行政复议和行政诉讼。",
        "六、存在的主要问题及改进措施",
        "信息公开的及时性、全面性有待提高。下一步将进一步完善制度，加强培训，提高信息公开质量。",
    ]
    return ReportSpec(title=title, agency=body, year=year, template=None, paragraphs=paras)


# --- documents -----------------------------------------------------------------------------------------


@dataclass
class Doc:
    """A file to serve; its bytes exist after `materialize()` (or at once for the cheap kinds)."""

    key: str
    ext: str
    make: Callable[[Path], None] | None = None  # writes the file at the given path (non-batched kinds)
    batch: tuple[str, str] | None = None  # (LibreOffice job, source text) for batched kinds
    spec: ReportSpec | None = None
    _data: bytes | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return CACHE / f"{self.key}.{self.ext}"

    def data(self) -> bytes:
        if self._data is None:
            if not self.path.exists():
                materialize()
            self._data = self.path.read_bytes()
        return self._data

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data()).hexdigest()


_PENDING: list[Doc] = []


def _key(*parts: object) -> str:
    return hashlib.sha256(repr((RECIPE_VERSION, *parts)).encode()).hexdigest()[:20]


def _doc(kind: str, ext: str, src: object, **kw: object) -> Doc:
    d = Doc(_key(kind, src), ext, **kw)  # type: ignore[arg-type]
    if not d.path.exists():
        _PENDING.append(d)
    return d


def docfactory(s: ReportSpec, fmt: str) -> Doc:
    """docfactory's own rendering: fmt in docx, pdf, doc, xlsx, scan."""
    ext = {"scan": "pdf"}.get(fmt, fmt)
    if fmt == "docx":
        return _doc("df-docx", ext, s, make=lambda p: _keep(write_docx(s, p)), spec=s)
    if fmt == "xlsx":
        return _doc("df-xlsx", ext, s, make=lambda p: _keep(write_xlsx(s, p)), spec=s)
    return _doc(f"df-{fmt}", ext, s, batch=(f"df-{fmt}", ""), spec=s)


def own_html(s: ReportSpec, style: int = 0) -> str:
    """Our own rendering of a report as a standalone HTML file (a different look than docfactory's)."""
    parts = [f'<p align="center" style="font-size:18pt"><b>{escape(s.title)}</b></p>']
    if style:
        parts.append(f'<p align="right">{escape(s.agency)}</p>')
    for block in body_blocks(s):
        if isinstance(block, Table):
            parts.append(table_html(block).replace('cellpadding="2"', 'cellpadding="4" width="100%"'))
        elif is_heading(block):
            parts.append(f'<p style="font-size:14pt"><b>{escape(block)}</b></p>')
        else:
            parts.append(f"<p>　　{escape(block)}</p>")
    if s.published_at:
        parts.append(f'<p align="right">{escape(s.agency)}<br>{escape(s.published_at)}</p>')
    body = "\n".join(parts)
    return (
        f'<html><head><meta charset="utf-8"><title>{escape(s.title)}</title></head><body>{body}</body></html>'
    )


def office(s: ReportSpec, fmt: str, style: int = 0) -> Doc:
    """Our HTML converted by LibreOffice to fmt (pdf or doc); other formats come from docfactory."""
    if fmt not in ("pdf", "doc"):
        return docfactory(s, fmt)
    src = own_html(s, style)
    return _doc(f"lo-{fmt}", fmt, src, batch=(f"lo-{fmt}", src), spec=s)


def article_html(s: ReportSpec) -> str:
    """The report as the inner HTML of an article page (docfactory's tables)."""
    return article_content(s)


def _keep(_: Path) -> None:
    pass


# --- pictures of tables --------------------------------------------------------------------------------


def _table_image(t: Table, font: ImageFont.FreeTypeFont, cell_w: int, row_h: int) -> Image.Image:
    widths = [cell_w * (3 if t.section == "applications" and i < 3 else 2) for i in range(t.n_cols)]
    if t.section == "appeals":
        widths = [cell_w * 1 + 18] * t.n_cols
    if t.section == "active":
        widths = [cell_w * 4] + [cell_w * 3] * (t.n_cols - 1)
    xs = [20]
    for w in widths:
        xs.append(xs[-1] + w)
    img = Image.new("RGB", (xs[-1] + 20, row_h * t.n_rows + 40), "white")
    draw = ImageDraw.Draw(img)
    for c in t.cells:
        x0, x1 = xs[c.col], xs[c.col + c.colspan]
        y0, y1 = 20 + row_h * c.row, 20 + row_h * (c.row + c.rowspan)
        draw.rectangle([x0, y0, x1, y1], outline="black", width=1)
        text = c.text
        size = int(font.size)
        per_line = max(1, (x1 - x0 - 6) // size)
        lines = [text[i : i + per_line] for i in range(0, len(text), per_line)] or [""]
        ty = (y0 + y1) // 2 - len(lines) * (size + 2) // 2
        for line in lines:
            tw = draw.textlength(line, font=font)
            draw.text(((x0 + x1 - tw) / 2, ty), line, fill="black", font=font)
            ty += size + 2
    return img


def _tables_image(s: ReportSpec, dpi: int) -> Image.Image:
    """The report's title, headings and three tables stacked in one tall picture."""
    scale = dpi / 96
    font = ImageFont.truetype(FONT, round(13 * scale))
    big = ImageFont.truetype(FONT, round(20 * scale))
    pieces: list[Image.Image] = []
    for block in body_blocks(s):
        if isinstance(block, Table):
            pieces.append(_table_image(block, font, round(34 * scale), round(30 * scale)))
        elif is_heading(block):
            im = Image.new("RGB", (round(900 * scale), round(36 * scale)), "white")
            ImageDraw.Draw(im).text((20, 6), block, fill="black", font=font)
            pieces.append(im)
    width = max((p.width for p in pieces), default=round(900 * scale))
    head = Image.new("RGB", (width, round(60 * scale)), "white")
    ImageDraw.Draw(head).text((20, 14), s.title, fill="black", font=big)
    pieces.insert(0, head)
    out = Image.new("RGB", (width, sum(p.height for p in pieces)), "white")
    y = 0
    for p in pieces:
        out.paste(p, (0, y))
        y += p.height
    return out


def picture(s: ReportSpec, fmt: str = "png", dpi: int = 96) -> Doc:
    """A screenshot-like picture of the report's tables (PNG or JPEG)."""

    def make(path: Path) -> None:
        img = _tables_image(s, dpi)
        if fmt == "jpg":
            img.convert("L").save(path, "JPEG", quality=82, dpi=(dpi, dpi))
        else:
            img.save(path, "PNG", dpi=(dpi, dpi))

    return _doc(f"pic-{fmt}-{dpi}", fmt, s, make=make, spec=s)


# --- OFD and ZIP ---------------------------------------------------------------------------------------

_OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _ofd_lines(s: ReportSpec) -> list[list[tuple[float, str]]]:
    """Lines of (x mm, text): prose as one cell, table rows as cells placed by column."""
    lines: list[list[tuple[float, str]]] = [[(40.0, s.title)]]
    for block in body_blocks(s):
        if isinstance(block, Table):
            for row in block.grid():
                cells = [(15.0 + i * (180 / block.n_cols), t) for i, t in enumerate(row) if t]
                if cells:
                    lines.append(cells)
        else:
            for i in range(0, len(block), 40):
                lines.append([(15.0, block[i : i + 40])])
    return lines


def _ofd_page(lines: list[list[tuple[float, str]]], first_id: int) -> str:
    objs, oid = [], first_id
    for n, line in enumerate(lines):
        y = 15 + n * 6
        for x, text in line:
            oid += 1
            objs.append(
                f'<ofd:TextObject ID="{oid}" Boundary="{x:.1f} {y} 180 6" Font="3" Size="3.2">'
                f'<ofd:TextCode X="0" Y="4">{escape(text)}</ofd:TextCode></ofd:TextObject>'
            )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {_OFD_NS}><ofd:Content>'
        f'<ofd:Layer ID="{first_id}">{"".join(objs)}</ofd:Layer></ofd:Content></ofd:Page>'
    )


def ofd(s: ReportSpec) -> Doc:
    """A minimal OFD package (GB/T 33190): text objects carry the prose and the table cells."""

    def make(path: Path) -> None:
        lines = _ofd_lines(s)
        pages = [lines[i : i + 42] for i in range(0, len(lines), 42)]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(
                "OFD.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {_OFD_NS} Version="1.1" DocType="OFD">'
                f"<ofd:DocBody><ofd:DocInfo><ofd:DocID>{_key('ofd', s)}</ofd:DocID>"
                f"<ofd:Title>{escape(s.title)}</ofd:Title><ofd:Author>{escape(s.agency)}</ofd:Author>"
                "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
            )
            refs = "".join(
                f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
            )
            z.writestr(
                "Doc_0/Document.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {_OFD_NS}><ofd:CommonData>'
                "<ofd:MaxUnitID>99999</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297"
                "</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
                f"</ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>",
            )
            z.writestr(
                "Doc_0/PublicRes.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {_OFD_NS} BaseLoc="Res"><ofd:Fonts>'
                '<ofd:Font ID="3" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
            )
            for i, page in enumerate(pages):
                z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", _ofd_page(page, 1000 * (i + 1)))
        path.write_bytes(buf.getvalue())

    return _doc("ofd", "ofd", s, make=make, spec=s)


def package(members: list[tuple[str, Doc]]) -> Doc:
    """A ZIP of other documents under (Chinese) names, as portals attach 'the report and its tables'."""

    def make(path: Path) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, d in members:
                z.writestr(name, d.data())
        path.write_bytes(buf.getvalue())

    return _doc("zip", "zip", [(n, d.key) for n, d in members], make=make)


def lookalike_pdf(title: str, paragraphs: list[str]) -> Doc:
    """A non-report document (notice, plan, bulletin) as a PDF made from our HTML."""
    s = ReportSpec(title=title, agency="", year=2000, template=None, paragraphs=paragraphs)
    return office(s, "pdf")


# --- batching ------------------------------------------------------------------------------------------


def _run(cmd: list[str], timeout: float = 600) -> None:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _lo_convert(sources: list[Path], target: str, out_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="zoo-lo-") as profile:
        _run(
            [
                shutil.which("soffice") or "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--infilter=HTML (StarWriter)",
                "--convert-to",
                target,
                "--outdir",
                str(out_dir),
                *map(str, sources),
            ]
        )


def materialize() -> None:
    """Write every pending document to the cache: cheap ones one by one, LibreOffice ones in batches."""
    CACHE.mkdir(parents=True, exist_ok=True)
    pending = [d for d in _PENDING if not d.path.exists()]
    _PENDING.clear()
    groups: dict[str, list[Doc]] = {}
    for d in pending:
        if d.batch:
            groups.setdefault(d.batch[0], []).append(d)
    for job, docs in groups.items():
        _materialize_batch(job, docs)
    for d in pending:  # after the batches: packages may contain batched documents
        if d.make and not d.path.exists():
            tmp = d.path.with_suffix(".part")
            d.make(tmp)
            tmp.replace(d.path)
    missing = [d.key for d in pending if not d.path.exists()]
    if missing:
        raise RuntimeError(f"could not make {len(missing)} zoo documents: {missing[:5]}")


def _materialize_batch(job: str, docs: list[Doc]) -> None:
    with tempfile.TemporaryDirectory(prefix="zoo-docs-") as tmp:
        out = Path(tmp)
        if job.startswith("df-"):
            specs = [d.spec for d in docs if d.spec is not None]
            results = render_many(specs, [job[3:]], out, stems=[d.key for d in docs])
            for d, res in zip(docs, results, strict=True):
                shutil.copyfile(res[job[3:]], d.path)
            return
        fmt = job[3:]
        srcs = []
        for d in docs:
            assert d.batch is not None
            src = out / f"{d.key}.html"
            src.write_text(d.batch[1], encoding="utf-8")
            srcs.append(src)
        target = "pdf:writer_pdf_Export" if fmt == "pdf" else "doc:MS Word 97"
        _lo_convert(srcs, target, out / "o")
        for d in docs:
            produced = out / "o" / f"{d.key}.{fmt}"
            if produced.exists():
                shutil.copyfile(produced, d.path)
