"""The renderer: consistent random specs, real merged cells in every format, LibreOffice batch, scans."""

from __future__ import annotations

import json
from pathlib import Path

import olefile
import pypdfium2 as pdfium
import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import html as lxml_html
from openpyxl import load_workbook

from archive.report import codes
from tests.docfactory.convert import scan_pdf, soffice_convert
from tests.docfactory.layout import Table, appeals_table, applications_table, body_blocks
from tests.docfactory.render import ConversionError, main, random_spec, render, render_many
from tests.docfactory.seedspecs import seed_specs
from tests.docfactory.spec import ReportSpec, parse_value

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "tests" / "eval" / "seeds"
TRUTH = REPO / "tests" / "eval" / "truth"

Grid = list[list[str | None]]


def _tables(spec: ReportSpec) -> list[Table]:
    return [b for b in body_blocks(spec) if isinstance(b, Table)]


# --- specs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_random_spec_is_deterministic_and_consistent(template: str) -> None:
    for seed in range(40):
        a, b = random_spec(seed, template), random_spec(seed, template)
        assert a.figures == b.figures and a.title == b.title
        statuses = {c["rule"]: c["status"] for c in a.truth_checks()}
        assert set(statuses) == {"balance", "outcomes_sum", "row_total", "appeals_total"}
        assert "failed" not in statuses.values(), (seed, a.truth_checks())
    assert random_spec(1, template).figures != random_spec(2, template).figures


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_with_error_plants_a_failing_rule(template: str) -> None:
    for seed in range(20):
        spec = random_spec(seed, template, with_error=True)
        assert any(c["status"] == "failed" for c in spec.truth_checks()), seed


def test_random_specs_are_realistic() -> None:
    specs = [random_spec(s, t) for s in range(30) for t in ("2019", "2021")]
    raws = [r for s in specs for r in s.figures.values()]
    assert sum(r == "0" for r in raws) > len(raws) / 2  # mostly zeros, like real reports
    assert any(r.startswith("+") for r in raws) and any(r.startswith("-") and r != "-0" for r in raws)
    assert any("万元" in r for r in raws)
    assert any(r == "" for r in raws)  # some specs leave cells blank
    assert {s.template for s in specs} == {"2019", "2021"}


def test_truth_stats_cover_the_template() -> None:
    s19, s21 = random_spec(3, "2019"), random_spec(3, "2021")
    # as the seed truths count; 2021 adds the derived row `other` (7 cells, report-format.md)
    assert len(s19.truth_stats()) == 198 and len(s21.truth_stats()) == 207
    rows21 = {st["row"] for st in s21.truth_stats() if st["section"] == "applications"}
    assert set(codes.OTHER_SUBROWS) <= rows21
    derived = [st for st in s21.truth_stats() if st["row"] == "other"]
    assert len(derived) == 7 and all(st["raw"] == "" for st in derived)
    assert all(st["value"] == parse_value(st["raw"]) for st in s19.truth_stats())


def test_parse_value() -> None:
    assert parse_value("+5") == 5 and parse_value("-39") == -39
    assert parse_value("3659.92 万元") == 3659.92 and parse_value("970") == 970
    assert parse_value("") is None and parse_value("—") is None


def test_blank_cells_make_rules_unknown_not_failed() -> None:
    spec = random_spec(5, "2019")
    for key in list(spec.figures):
        if key[0] == "appeals" and key[2] != "total":
            spec.figures[key] = ""
    assert {c["rule"]: c["status"] for c in spec.truth_checks()}["appeals_total"] == "unknown"


@pytest.mark.skipif(not SEEDS.is_dir() or not TRUTH.is_dir(), reason="seeds or truth not present")
def test_seed_specs_reproduce_the_truth_files() -> None:
    specs = seed_specs(SEEDS, TRUTH)
    assert len(specs) == 5
    for i, spec in enumerate(specs):
        truth = json.loads((TRUTH / f"seed_{i:03d}.json").read_text(encoding="utf-8"))
        assert spec.title == truth["meta"]["title"]
        mine = sorted((s["section"], s["row"], s["col"], s["raw"]) for s in spec.truth_stats())
        assert mine == sorted((s["section"], s["row"], s["col"], s["raw"]) for s in truth["stats"])
        assert [(c["rule"], c["status"]) for c in spec.truth_checks()] == [
            (c["rule"], c["status"]) for c in truth["checks"]
        ]
        assert spec.paragraphs and not any("\t" in p for p in spec.paragraphs)
    assert specs[2].template is None and not _tables(specs[2])
    assert any("保障群众知情权" in p for p in specs[0].paragraphs)  # page-broken paragraph rejoined


# --- layout --------------------------------------------------------------------------------------------


def test_applications_layout_merges() -> None:
    t = applications_table(random_spec(1, "2021"))
    spans = {c.text: (c.rowspan, c.colspan) for c in t.cells}
    assert spans["申请人情况"] == (1, 7) and spans["法人或其他组织"] == (1, 5)
    assert spans["三、本年度办理结果"][0] == 22  # （一）…（七） of the 2021 template, sub-rows included
    assert spans["（三）不予公开"] == (8, 1) and spans["（六）其他处理"] == (3, 1)
    omitted = random_spec(1, "2019")
    omitted.omit_columns = ["legal_service", "other_org"]
    t2 = applications_table(omitted)
    assert t2.n_cols == 8 and {c.text: c.colspan for c in t2.cells}["法人或其他组织"] == 3


def test_split_keeps_every_cell_once() -> None:
    t = applications_table(random_spec(2, "2019"))
    head, tail = t.split(12, repeat_header=True)
    assert tail.grid()[:3] == t.grid()[:3]  # header repeated
    body = [r for r in head.grid()[3:] + tail.grid()[3:]]
    assert [r[3:] for r in body] == [r[3:] for r in t.grid()[3:]]


# --- direct formats -------------------------------------------------------------------------------------


def _docx_grids(path: Path) -> list[Grid]:
    """Grids from the DOCX XML, anchors only (gridSpan / vMerge continuation → None)."""
    grids = []
    for tbl in Document(str(path)).element.body.iter(qn("w:tbl")):
        grid: Grid = []
        for tr in tbl.iter(qn("w:tr")):
            row: list[str | None] = []
            for tc in tr.iter(qn("w:tc")):
                pr = tc.tcPr
                span_el = pr.find(qn("w:gridSpan")) if pr is not None else None
                span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
                vm = pr.find(qn("w:vMerge")) if pr is not None else None
                text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
                covered = vm is not None and vm.get(qn("w:val")) != "restart"
                row += [None if covered else text] + [None] * (span - 1)
            grid.append(row)
        grids.append(grid)
    return grids


def _html_grid(table: lxml_html.HtmlElement) -> Grid:
    grid: dict[tuple[int, int], str | None] = {}
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for td in tr.iter("td"):
            while (r, c) in grid:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            for i in range(rs):
                for j in range(cs):
                    grid[(r + i, c + j)] = td.text_content() if (i, j) == (0, 0) else None
            c += cs
    n_rows, n_cols = max(k[0] for k in grid) + 1, max(k[1] for k in grid) + 1
    return [[grid.get((r, c)) for c in range(n_cols)] for r in range(n_rows)]


@pytest.fixture(scope="module")
def direct_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[ReportSpec], list[dict[str, Path]]]:
    specs = [random_spec(11, "2019"), random_spec(12, "2021")]
    specs[1].omit_columns = ["legal_service", "other_org"]
    for spec in specs:
        spec.split_page_break = False  # a split DOCX table is two tables; covered by the PDF tests
    out = tmp_path_factory.mktemp("direct")
    return specs, render_many(specs, ["docx", "html", "xlsx", "text"], out)


def test_docx_has_real_merges_and_exact_grids(
    direct_files: tuple[list[ReportSpec], list[dict[str, Path]]],
) -> None:
    specs, files = direct_files
    for spec, f in zip(specs, files, strict=True):
        grids = _docx_grids(f["docx"])
        assert grids == [t.grid() for t in _tables(spec)]
        xml = Document(str(f["docx"])).element.xml
        assert 'w:gridSpan w:val="10"' in xml and 'w:vMerge w:val="restart"' in xml  # 行政诉讼, 三、…
        text = "\n".join(p.text for p in Document(str(f["docx"])).paragraphs)
        assert spec.title in text and "一、总体情况" in text


def test_html_tables_and_meta(direct_files: tuple[list[ReportSpec], list[dict[str, Path]]]) -> None:
    specs, files = direct_files
    for spec, f in zip(specs, files, strict=True):
        doc = lxml_html.fromstring(f["html"].read_bytes())
        assert doc.xpath('//meta[@name="ArticleTitle"]/@content') == [spec.title]
        assert doc.xpath('//meta[@name="PubDate"]/@content') == [spec.published_at]
        assert doc.xpath('//meta[@name="ContentSource"]/@content') == [spec.agency]
        got = [_html_grid(t) for t in doc.iter("table")]
        assert got == [t.grid() for t in _tables(spec)]


def test_xlsx_merged_ranges(direct_files: tuple[list[ReportSpec], list[dict[str, Path]]]) -> None:
    specs, files = direct_files
    ws = load_workbook(files[0]["xlsx"]).active
    assert ws is not None
    ranges = {str(r) for r in ws.merged_cells.ranges}
    values = {c.value: c.coordinate for row in ws.iter_rows() for c in row if c.value}
    anchor = values["申请人情况"]
    assert any(r.startswith(anchor + ":") for r in ranges)
    assert values[specs[0].title] == "A1"


def test_text_is_tab_separated(direct_files: tuple[list[ReportSpec], list[dict[str, Path]]]) -> None:
    specs, files = direct_files
    lines = files[0]["text"].read_text(encoding="utf-8").splitlines()
    row = next(line for line in lines if line.startswith(codes.APPLICATION_ROWS["new"]))
    assert row.split("\t")[3:] == [
        specs[0].raw("applications", "new", c.code) for c in codes.APPLICATION_COLUMNS
    ]


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(random_spec(1, "2019"), "ofd", tmp_path)


# --- LibreOffice and scans (one soffice call per format for the whole module) ---------------------------


@pytest.fixture(scope="module")
def office_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[ReportSpec], list[dict[str, Path]]]:
    a, b = random_spec(21, "2019"), random_spec(22, "2021")
    a.split_page_break, a.repeat_header = True, True
    b.split_page_break = False
    out = tmp_path_factory.mktemp("office")
    return [a, b], render_many([a, b], ["pdf", "doc", "scan"], out)


def _page_texts(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


@pytest.mark.libreoffice
@pytest.mark.slow
def test_pdf_carries_text_and_figures(office_files: tuple[list[ReportSpec], list[dict[str, Path]]]) -> None:
    specs, files = office_files
    for spec, f in zip(specs, files, strict=True):
        pages = _page_texts(f["pdf"])
        text = "".join(pages)
        assert len(pages) >= 2
        assert spec.title in text.replace("\r", "").replace("\n", "").replace(" ", "")
        assert "法人或其他组织" in text and "未经复议直接起诉" in text


@pytest.mark.libreoffice
@pytest.mark.slow
def test_split_page_break_puts_table_on_two_pages(
    office_files: tuple[list[ReportSpec], list[dict[str, Path]]],
) -> None:
    pages = _page_texts(office_files[1][0]["pdf"])
    first = next(i for i, p in enumerate(pages) if "属于国家秘密" in p)
    later = next(i for i, p in enumerate(pages) if "保护第三方合法权益" in p)
    assert later == first + 1
    assert "申请人情况" in pages[later]  # repeated header


@pytest.mark.libreoffice
@pytest.mark.slow
def test_doc_is_a_word97_file(office_files: tuple[list[ReportSpec], list[dict[str, Path]]]) -> None:
    for f in office_files[1]:
        assert olefile.isOleFile(str(f["doc"]))
        with olefile.OleFileIO(str(f["doc"])) as ole:
            assert ole.exists("WordDocument")


@pytest.mark.libreoffice
@pytest.mark.slow
def test_scan_has_pages_but_no_text(office_files: tuple[list[ReportSpec], list[dict[str, Path]]]) -> None:
    for f in office_files[1]:
        scan = _page_texts(f["scan"])
        assert len(scan) == len(_page_texts(f["pdf"]))
        assert all(not t.strip() for t in scan)


def test_scan_of_corrupt_pdf_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not a pdf")
    with pytest.raises(ConversionError, match="pdftoppm"):
        scan_pdf(bad, tmp_path / "out.pdf")


@pytest.mark.libreoffice
def test_soffice_timeout_is_a_clear_error(tmp_path: Path) -> None:
    src = render(random_spec(1, "2019"), "docx", tmp_path)
    with pytest.raises(ConversionError, match="timed out"):
        soffice_convert([src], "pdf", tmp_path / "out", timeout=0.05)


def test_appeals_layout_is_one_row_of_fifteen() -> None:
    t = appeals_table(random_spec(4, "2019"))
    assert t.n_rows == 4 and t.n_cols == 15
    assert [c.colspan for c in t.cells if c.text == "行政诉讼"] == [10]


def test_cli_writes_documents_and_truth(tmp_path: Path) -> None:
    main(["--count", "3", "--formats", "docx,text", "--out", str(tmp_path), "--errors", "0.34"])
    truths = sorted(tmp_path.glob("*.truth.json"))
    assert len(truths) == 3 and len(list(tmp_path.glob("*.docx"))) == 3
    first = json.loads(truths[0].read_text(encoding="utf-8"))
    assert set(first) == {"meta", "stats", "checks"} and first["meta"]["template"] in ("2019", "2021")
    assert any(c["status"] == "failed" for c in first["checks"])  # the first spec carries the planted error
    with pytest.raises(SystemExit):
        main(["--formats", "ofd", "--out", str(tmp_path)])
