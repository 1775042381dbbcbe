"""Charset detection on Chinese pages, including mislabelled ones."""

from __future__ import annotations

from archive.extract.encoding import decode_html, normalise

PAGE = (
    '<html><head><meta charset="{cs}"><title>2020年政府信息公开工作年度报告</title></head>'
    "<body><p>发布日期：2021-01-25</p><p>危及“三安全一稳定”</p></body></html>"
)


def test_gbk_page_declared_utf8_falls_back_to_gb18030() -> None:
    data = PAGE.format(cs="utf-8").encode("gbk")
    text, enc = decode_html(data, "utf-8")
    assert enc == "gb18030"
    assert "危及“三安全一稳定”" in text
    assert "\ufffd" not in text


def test_utf8_page_declared_gbk_is_read_as_utf8() -> None:
    data = PAGE.format(cs="gb2312").encode("utf-8")
    text, enc = decode_html(data, "GBK")
    assert enc == "utf-8"
    assert "政府信息公开工作年度报告" in text


def test_meta_charset_gb2312_decodes_as_gb18030() -> None:
    # 𠀀 (U+20000) is outside GBK: only GB18030 can carry it.
    data = (PAGE.format(cs="gb2312") + "𠀀").encode("gb18030")
    text, enc = decode_html(data)
    assert enc == "gb18030"
    assert text.endswith("𠀀")


def test_bom_wins() -> None:
    text, enc = decode_html(b"\xef\xbb\xbf" + PAGE.format(cs="gbk").encode())
    assert enc == "utf-8" and text.startswith("<html>")
    text, enc = decode_html("\ufeff<html>年报".encode("utf-16-le"))
    assert enc == "utf-16-le" and text == "<html>年报"


def test_latin1_declaration_is_not_trusted_for_gbk_bytes() -> None:
    data = PAGE.format(cs="iso-8859-1").encode("gbk")
    text, enc = decode_html(data, "ISO-8859-1")
    assert enc == "gb18030" and "年度报告" in text


def test_mostly_broken_bytes_pick_fewest_replacements() -> None:
    data = "年度报告".encode("gbk") + b"\xff\xff"
    text, enc = decode_html(data, "utf-8")
    assert enc == "gb18030" and text.startswith("年度报告")


def test_normalise() -> None:
    assert normalise("GB2312") == "gb18030"
    assert normalise("x-gbk") == "gb18030"
    assert normalise("UTF8") == "utf-8"
    assert normalise("no-such-charset") is None
