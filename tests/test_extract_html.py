"""HTML pages: tables from the raw DOM with spans, innermost tables, metadata, mislabelled charsets."""

from __future__ import annotations

from pathlib import Path

from archive.dates import iso_date
from archive.extract import extract_bytes_html, extract_file
from tests.fixtures_docs import appeals_spec

ARTICLE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="某县卫生健康局2020年政府信息公开工作年度报告">
<meta name="PubDate" content="2021-01-25 09:30">
<meta name="ContentSource" content="某县卫生健康局">
<title>年度报告_某县人民政府</title>
<style>td {{ color: red }}</style>
</head><body>
<table class="layout"><tr><td>
  <div class="info">索引号：000014349/2021-00012 发布机构：某县卫生健康局 成文日期：2021年1月20日 发布日期：2021-01-25</div>
  <h1>某县卫生健康局2020年政府信息公开工作年度报告</h1>
  <p>一、总体情况</p>
  <p>2020年，我局坚持以公开为常态、不公开为例外，及时、主动、准确公开政府信息，深入推进政务公开。全年主动公开政府信息123条。</p>
  <p>三、收到和处理政府信息公开申请情况</p>
  <table border="1">
    <tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td></tr>
    <tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
    <tr><td>商业<br>企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
    <tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>5</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>6</td></tr>
    <tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>3</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>4</td></tr>
    <tr><td colspan="2">（二）部分公开</td><td colspan="2">2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>
  </table>
  {appeals}
</td></tr></table>
<script>var x = "<table><tr><td>not a table</td></tr></table>";</script>
</body></html>
"""


def _appeals_html() -> str:
    rows = []
    for row in appeals_spec():
        cells = "".join(f'<td rowspan="{rs}" colspan="{cs}">{text}</td>' for text, rs, cs in row)
        rows.append(f"<tr>{cells}</tr>")
    return "<table><tbody>" + "".join(rows) + "</tbody></table>"


def page() -> str:
    return ARTICLE.format(appeals=_appeals_html())


CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def test_applications_table_spans_resolved() -> None:
    ext = extract_bytes_html(page().encode("utf-8"))
    assert ext.error is None
    assert len(ext.tables) == 2  # the layout table is not a data table
    assert ext.tables[0] == [
        [CORNER] * 3 + ["申请人情况"] * 7,
        [CORNER] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
        [CORNER] * 3 + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
        ["一、本年新收政府信息公开申请数量"] * 3 + ["5", "1", "0", "0", "0", "0", "6"],
        ["三、本年度办理结果", "（一）予以公开", "（一）予以公开", "3", "1", "0", "0", "0", "0", "4"],
        ["三、本年度办理结果", "（二）部分公开", "（二）部分公开", "2", None, "0", "0", "0", "0", "2"],
    ]


def test_appeals_table_has_fifteen_columns() -> None:
    ext = extract_bytes_html(page().encode("utf-8"))
    appeals = ext.tables[1]
    assert [len(r) for r in appeals] == [15] * 4
    assert appeals[1][5:11] == ["未经复议直接起诉"] * 5 + ["复议后起诉"]
    assert appeals[3] == ["2", "1", "0", "1", "4", "3", "0", "1", "0", "4", "0", "0", "0", "1", "1"]


def test_page_meta_from_meta_tags_and_visible_block() -> None:
    meta = extract_bytes_html(page().encode("utf-8")).page_meta
    assert meta["title"] == "某县卫生健康局2020年政府信息公开工作年度报告"
    assert meta["published_at"] == "2021-01-25"
    assert meta["source"] == "某县卫生健康局"
    assert meta["publisher"] == "某县卫生健康局"
    assert meta["index_no"] == "000014349/2021-00012"
    assert meta["written_at"] == "2021-01-20"
    assert meta["encoding"] == "utf-8"


def test_main_text_via_trafilatura() -> None:
    ext = extract_bytes_html(page().encode("utf-8"))
    assert "全年主动公开政府信息123条" in ext.text
    assert "not a table" not in ext.text
    assert ext.extractor.startswith("trafilatura")


def test_gbk_page_declared_utf8(tmp_path: Path) -> None:
    """The file on disk is GBK though its meta says utf-8: decoded by fallback, tables intact."""
    path = tmp_path / "page.html"
    path.write_bytes(page().encode("gbk"))
    ext = extract_file(path)
    assert ext.media_type == "html"
    assert ext.page_meta["encoding"] == "gb18030"
    assert ext.tables[0][3][0] == "一、本年新收政府信息公开申请数量"
    assert "\ufffd" not in ext.text


def test_no_meta_title_falls_back_to_title_tag() -> None:
    html = "<html><head><title>关于2021年政府信息公开工作的年度报告</title></head><body>发布时间：2022年1月5日</body></html>"
    meta = extract_bytes_html(html.encode()).page_meta
    assert meta["title"] == "关于2021年政府信息公开工作的年度报告"
    assert meta["published_at"] == "2022-01-05"


def test_hostile_spans_are_capped() -> None:
    html = '<table><tr><td colspan="1000000">a</td><td>1</td></tr><tr><td rowspan="99999">b</td></tr></table>'
    ext = extract_bytes_html(html.encode())
    assert len(ext.tables[0][0]) == 101
    assert len(ext.tables[0]) == 2


def test_iso_date() -> None:
    assert iso_date("2021年1月5日") == "2021-01-05"
    assert iso_date("2021/12/31 10:00") == "2021-12-31"
    assert iso_date("2021-13-45") is None


def test_http_charset_passed_through_extract_file(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes("<html><body><p>发布日期：2021-01-25</p></body></html>".encode("gb2312"))
    ext = extract_file(path, "html", charset="gb2312")
    assert ext.page_meta["encoding"] == "gb18030"
    assert ext.page_meta["published_at"] == "2021-01-25"


def test_cell_text_in_document_order() -> None:
    html = "<table><tr><td><b>本年<i>新</i></b>制作<!-- 注释 --><br>数量</td><td><p>3</p></td></tr></table>"
    assert extract_bytes_html(html.encode()).tables == [[["本年新制作数量", "3"]]]
