"""Real test documents made by real tools (python-docx, LibreOffice, pdftoppm), built once per session.

The builders are cached at module level (not only pytest session fixtures) because the same documents
serve several test modules and the benchmark; LibreOffice runs ONE batch call for all conversions.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from archive.report.codes import APPEAL_COLUMNS, APPLICATION_COLUMNS, APPLICATION_ROWS_BY_TEMPLATE

# HTML-style rows of (text, rowspan, colspan): one description renders DOCX, HTML and XLSX alike.
Spec = list[list[tuple[str, int, int]]]

ACTIVE_2019: Spec = [
    [("第二十条第（一）项", 1, 4)],
    [("信息内容", 1, 1), ("本年新制作数量", 1, 1), ("本年新公开数量", 1, 1), ("对外公开总数量", 1, 1)],
    [("规章", 1, 1), ("0", 1, 1), ("0", 1, 1), ("0", 1, 1)],
    [("规范性文件", 1, 1), ("3", 1, 1), ("3", 1, 1), ("17", 1, 1)],
    [("第二十条第（五）项", 1, 4)],
    [("信息内容", 1, 1), ("上一年项目数量", 1, 1), ("本年增/减", 1, 1), ("处理决定数量", 1, 1)],
    [("行政许可", 1, 1), ("15", 1, 1), ("-1", 1, 1), ("208", 1, 1)],
    [("其他对外管理服务事项", 1, 1), ("45", 1, 1), ("0", 1, 1), ("0", 1, 1)],
    [("第二十条第（六）项", 1, 4)],
    [("信息内容", 1, 1), ("上一年项目数量", 1, 1), ("本年增/减", 1, 1), ("处理决定数量", 1, 1)],
    [("行政处罚", 1, 1), ("160", 1, 1), ("+5", 1, 1), ("1093", 1, 1)],
    [("行政强制", 1, 1), ("8", 1, 1), ("0", 1, 1), ("2", 1, 1)],
    [("第二十条第（八）项", 1, 4)],
    [("信息内容", 1, 1), ("上一年项目数量", 1, 2), ("本年增/减", 1, 1)],
    [("行政事业性收费", 1, 1), ("2", 1, 2), ("0", 1, 1)],
    [("第二十条第（九）项", 1, 4)],
    [("信息内容", 1, 1), ("采购项目数量", 1, 2), ("采购总金额", 1, 1)],
    [("政府集中采购", 1, 1), ("6", 1, 2), ("3659.92万元", 1, 1)],
]

# Sub-labels of the 三、本年度办理结果 block, grouped as the template groups them.
_RESULT_GROUPS: list[tuple[str, list[str]]] = [
    ("（一）予以公开", []),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", []),
    (
        "（三）不予公开",
        [
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        ],
    ),
    (
        "（四）无法提供",
        ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"],
    ),
    (
        "（五）不予处理",
        [
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        ],
    ),
    ("（六）其他处理", []),
    ("（七）总计", []),
]


def _figures(seed: int) -> list[str]:
    """Seven distinct-looking figures for one row: six applicant columns and their total."""
    six = [(seed * 7 + col * 13) % 29 for col in range(6)]
    return [str(v) for v in six] + [str(sum(six))]


def applications_spec() -> Spec:
    corner = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    labels = [c.label for c in APPLICATION_COLUMNS]
    rows: Spec = [
        [(corner, 3, 3), ("申请人情况", 1, 7)],
        [(labels[0], 2, 1), ("法人或其他组织", 1, 5), (labels[6], 2, 1)],
        [(label, 1, 1) for label in labels[1:6]],
    ]
    seed = 1
    n_results = sum(max(1, len(subs)) for _, subs in _RESULT_GROUPS)

    def figures() -> list[tuple[str, int, int]]:
        nonlocal seed
        seed += 1
        return [(v, 1, 1) for v in _figures(seed)]

    rows.append([("一、本年新收政府信息公开申请数量", 1, 3), *figures()])
    rows.append([("二、上年结转政府信息公开申请数量", 1, 3), *figures()])
    first = True
    for group, subs in _RESULT_GROUPS:
        lead = [("三、本年度办理结果", n_results, 1)] if first else []
        first = False
        if not subs:
            rows.append([*lead, (group, 1, 2), *figures()])
            continue
        for i, sub in enumerate(subs):
            head = [(group, len(subs), 1)] if i == 0 else []
            rows.append([*(lead if i == 0 else []), *head, (sub, 1, 1), *figures()])
    rows.append([("四、结转下年度继续办理", 1, 3), *figures()])
    assert len(rows) == 3 + 2 + n_results + 1
    assert len(APPLICATION_ROWS_BY_TEMPLATE["2019"]) == 2 + n_results + 1
    return rows


def appeals_spec() -> Spec:
    heads = [(c.label, 1, 1) for c in APPEAL_COLUMNS]
    return [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*[(c.label, 2, 1) for c in APPEAL_COLUMNS], ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        heads + heads,
        [(str(v), 1, 1) for v in (2, 1, 0, 1, 4, 3, 0, 1, 0, 4, 0, 0, 0, 1, 1)],
    ]


REPORT_TITLE = "某县卫生健康局2020年政府信息公开工作年度报告"
FILLER = (
    "坚持以公开为常态、不公开为例外的原则，及时、主动、准确公开政府信息，深入推进政务公开。"
    "围绕公众关切的医疗卫生、健康促进、惠民政策等内容，加大了公开力度，进一步拓展公开渠道。"
)


def _span(cell_xml: object, rowspan_start: bool | None) -> None:
    """Unused placeholder kept out: python-docx's merge() writes gridSpan/vMerge for us."""


def _fill_table(doc: object, spec: Spec, header_rows: int = 0) -> None:
    """Render a spec into a python-docx table with real gridSpan/vMerge merges."""
    from archive.extract.grid import place

    layout = place(spec)
    n_rows, n_cols = len(layout), len(layout[0])
    table = doc.add_table(rows=n_rows, cols=n_cols)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(spec):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            cell = table.cell(r, c)
            if rowspan > 1 or colspan > 1:
                cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
            cell.text = text
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
            c += colspan
    for r in range(header_rows):
        tr_pr = table.rows[r]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def build_report_docx(path: Path, *, filler_paragraphs: int = 14) -> Path:
    """A 2019-template report: text, section 二/三/四 tables. The filler pushes the applications table
    over a page break, and its three header rows repeat on the next page (w:tblHeader)."""
    doc = Document()
    doc.add_heading(REPORT_TITLE, level=1)
    doc.add_paragraph("一、总体情况")
    for _ in range(3):
        doc.add_paragraph(FILLER)
    doc.add_paragraph("二、主动公开政府信息情况")
    _fill_table(doc, ACTIVE_2019)
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    for _ in range(filler_paragraphs):
        doc.add_paragraph(FILLER)
    _fill_table(doc, applications_spec(), header_rows=3)
    doc.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    _fill_table(doc, appeals_spec())
    doc.add_paragraph("五、存在的主要问题及改进情况")
    doc.add_paragraph(FILLER)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("六、其他需要报告的事项")
    doc.add_paragraph("无其他需要报告的事项。")
    doc.save(str(path))
    return path


def soffice_convert(sources: list[Path], fmt: str, outdir: Path, timeout: float = 240) -> None:
    """One LibreOffice batch call for many files, with a private profile so parallel runs do not collide."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@functools.cache
def docs_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="govarchive-docs-"))


@functools.cache
def report_docx() -> Path:
    return build_report_docx(docs_dir() / "report.docx")


def with_kso_property(src: Path, dest: Path) -> Path:
    """A copy of a DOCX carrying the custom property Kingsoft WPS writes into every file it saves
    (KSOProductBuildVer); LibreOffice keeps it in the DOC's DocumentSummaryInformation, as WPS does."""
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer">'
        "<vt:lpwstr>2052-11.1.0.11664</vt:lpwstr></property></Properties>"
    )
    ctype = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
    rel_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                override = f'<Override PartName="/docProps/custom.xml" ContentType="{ctype}"/></Types>'
                data = data.replace(b"</Types>", override.encode())
            elif item.filename == "_rels/.rels":
                rel = f'<Relationship Id="rIdKso" Type="{rel_type}" Target="docProps/custom.xml"/></Relationships>'
                data = data.replace(b"</Relationships>", rel.encode())
            zout.writestr(item, data)
        zout.writestr("docProps/custom.xml", custom)
    return dest


@functools.cache
def converted() -> dict[str, Path]:
    """report.docx → report.pdf, report.doc and a WPS-flavoured report_wps.doc: one soffice batch per
    target format."""
    src = report_docx()
    wps_src = with_kso_property(src, docs_dir() / "report_wps.docx")
    out = docs_dir() / "lo"
    out.mkdir(exist_ok=True)
    soffice_convert([src], "pdf", out)
    soffice_convert([src, wps_src], "doc", out)
    return {"pdf": out / "report.pdf", "doc": out / "report.doc", "wps": out / "report_wps.doc"}


@functools.cache
def encrypted_pdf() -> Path:
    """LibreOffice writes an encrypted PDF when given an open password in the export filter."""
    out = docs_dir() / "enc"
    out.mkdir(exist_ok=True)
    opts = '{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"secret"}}'
    soffice_convert([report_docx()], f"pdf:writer_pdf_Export:{opts}", out)
    return out / "report.pdf"


@functools.cache
def scanned_pdf() -> Path:
    """A PDF with no text layer: pdftoppm renders the real PDF, Pillow wraps the bitmaps as PDF pages."""
    from PIL import Image

    out = docs_dir() / "scan"
    out.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", str(converted()["pdf"]), str(out / "p")],
        check=True,
        timeout=120,
    )
    pages = [Image.open(p) for p in sorted(out.glob("p-*.png"))]
    pdf = out / "scanned.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=200.0)
    return pdf


def truncated_copy(src: Path, dest: Path, keep: float = 0.5) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * keep)])
    return dest


def zip_bomb_docx(dest: Path, size: int = 600 * 1024 * 1024) -> Path:
    """A DOCX-shaped zip whose document.xml inflates to `size` bytes (compressed ~0.6 MB)."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(size >> 20):
                fh.write(block)
    return dest


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")


def spec_html(spec: Spec) -> str:
    rows = "".join(
        "<tr>" + "".join(f'<td rowspan="{rs}" colspan="{cs}">{text}</td>' for text, rs, cs in row) + "</tr>"
        for row in spec
    )
    return f'<table border="1">{rows}</table>'


def build_report_html(path: Path, encoding: str = "utf-8") -> Path:
    """The report as a portal article page: metadata, text, three span tables inside a layout table."""
    body = "".join(f"<p>{FILLER}</p>" for _ in range(6))
    tables = "".join(spec_html(s) for s in (ACTIVE_2019, applications_spec(), appeals_spec()))
    html = (
        f'<html><head><meta charset="{encoding}"><meta name="ArticleTitle" content="{REPORT_TITLE}">'
        f'<meta name="PubDate" content="2021-01-25"><title>{REPORT_TITLE}</title></head><body>'
        f"<table><tr><td><h1>{REPORT_TITLE}</h1>{body}{tables}</td></tr></table></body></html>"
    )
    path.write_bytes(html.encode(encoding))
    return path


def build_report_xlsx(path: Path) -> Path:
    """The three tables as three sheets, merged ranges as in the DOCX."""
    import openpyxl

    wb = openpyxl.Workbook()
    for i, spec in enumerate((ACTIVE_2019, applications_spec(), appeals_spec())):
        ws = wb.active if i == 0 else wb.create_sheet()
        assert ws is not None
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(spec):
            c = 0
            for text, rs, cs in row:
                while (r, c) in taken:
                    c += 1
                taken |= {(r + dr, c + dc) for dr in range(rs) for dc in range(cs)}
                ws.cell(r + 1, c + 1, text)
                if rs > 1 or cs > 1:
                    ws.merge_cells(start_row=r + 1, start_column=c + 1, end_row=r + rs, end_column=c + cs)
                c += cs
    wb.save(path)
    return path
