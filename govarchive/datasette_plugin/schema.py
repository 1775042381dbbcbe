"""The documented schema: every table and view of the corpus with its columns as SQLite reports them,
each explained in Chinese and English (a column without an entry here is listed, marked undocumented)."""

from __future__ import annotations

import sqlite3
from typing import Any

# table: (Chinese, English, {column: (Chinese, English)})
DOCS: dict[str, tuple[str, str, dict[str, tuple[str, str]]]] = {
    "reports": (
        "年度报告：每个机关每年每类一行",
        "One row per body × year × kind of report",
        {
            "id": ("报告编号", "report id (the /report/<id> page)"),
            "site_id": ("最早收录它的门户", "the portal (sites.id) it was first found on"),
            "agency": ("发布机关", "the body that published the report"),
            "region": ("行政区划（省/市/县）", "region, province/city/county"),
            "year": ("报告年度", "the year the report covers"),
            "kind": ("类别：年度报告 / 工作总结", "annual_report, or work_summary (before 2019)"),
            "title": ("标题", "title"),
            "template": ("统计表模板：2019 或 2021", "statistical table template: 2019 or 2021 circular"),
            "published_at": ("发布日期", "publication date the portal or document gives"),
            "page_url": ("门户上的报告页面", "the report's page on the portal"),
            "sha256": ("取数字的副本（SHA-256）", "the archived copy the figures and text come from"),
            "source_url": ("该副本的网址", "the URL of that copy"),
            "text": ("正文", "full text"),
            "first_seen": ("首次存档", "first archived"),
            "last_seen": ("最近一次见到", "last seen on the portal"),
            "removed_at": (
                "门户撤下的时间（存档仍保留）",
                "when the portal stopped serving it (the archive keeps it)",
            ),
        },
    ),
    "report_sources": (
        "报告的各个副本（网页、PDF、DOCX…）",
        "Every archived copy of a report (HTML page, PDF, DOCX …)",
        {
            "report_id": ("报告编号", "report id"),
            "sha256": (
                "副本内容的 SHA-256（/blob/<sha256> 下载）",
                "SHA-256 of the copy (download at /blob/<sha256>)",
            ),
            "url": ("副本网址", "where the copy was fetched"),
            "format": ("格式", "format"),
            "first_seen": ("首次存档", "first archived"),
            "last_seen": ("最近一次见到", "last seen"),
            "removed_at": ("门户撤下的时间", "when the portal stopped serving it"),
        },
    ),
    "report_stats": (
        "统计表中的数字：每个报告每个单元格一行",
        "One row per cell of a report's statistical tables",
        {
            "report_id": ("报告编号", "report id"),
            "section": (
                "表：active 二、applications 三、appeals 四",
                "table: active (二), applications (三), appeals (四)",
            ),
            "row": ("行代码", "row code"),
            "col": ("列代码", "column code"),
            "value": (
                "数值（空白为 NULL；REAL，计数导出为整数）",
                "value (NULL when blank; REAL, counts are exported as integers)",
            ),
            "raw": ("单元格原文", "the cell's text as printed"),
            "row_label": ("模板行名", "the template's Chinese row label"),
            "col_label": ("模板列名", "the template's Chinese column label"),
            "ocr": ("是否来自文字识别", "1 when read by OCR"),
            "source_sha256": ("数字所在副本", "the copy the figure was read from"),
            "placed_by": (
                "定位方式：label / number / order / derived",
                "how the cell was placed: by label, numbering, order, or derived (computed)",
            ),
            "src_page": (
                "读取这一数字的页（PDF、OFD、扫描件，从 1 起）",
                "page the figure was read on (PDF, OFD, scans; from 1)",
            ),
            "src_box": (
                "该页上单元格的区域 x0,y0,x1,y1（磅，自页面左上角起）",
                "the cell's region on that page, x0,y0,x1,y1 (points from the page's top-left)",
            ),
            "src_table": (
                "文中第几个表格（DOCX、HTML）或工作表（XLSX）",
                "table of the document (DOCX, HTML) or sheet (XLSX), from 1",
            ),
            "src_row": ("表格中的行（电子表格的行号）", "row of that table (a spreadsheet's row number)"),
            "src_col": (
                "行中的第几个单元格（电子表格的列号）",
                "cell within the row (a spreadsheet's column number)",
            ),
            "src_element": (
                "网页中以段落写出的表格：数字所在元素的 XPath",
                "an HTML table written as paragraphs: XPath of the element holding the figure",
            ),
            "src_span": (
                "数字在该元素文字中的位置 起,止（字符，从 0 起）",
                "the figure's characters in that element's text: start,end (from 0)",
            ),
        },
    ),
    "populations": (
        "常住人口：由运营者按地区和年份填写，用于每万人申请数",
        "Population of a place, filled by the operator: the denominator of requests per 10,000 residents",
        {
            "region": ("地区（与 reports.region 相同的路径）", "region, the same path as reports.region"),
            "year": ("年份（取与报告年度最近的一年）", "year (the nearest to a report's year is used)"),
            "population": ("常住人口（人）", "residents (persons)"),
            "source": ("来源（如第七次人口普查）", "source (e.g. the 2020 census)"),
        },
    ),
    "report_checks": (
        "勾稽关系核对：每个报告每条规则一行",
        "One row per consistency rule per report",
        {
            "report_id": ("报告编号", "report id"),
            "rule": ("规则", "rule: balance, outcomes_sum, row_total, appeals_total"),
            "status": (
                "结果：ok 成立 / failed 不成立 / unknown 无法核对",
                "ok, failed, or unknown (blank cells)",
            ),
            "detail": ("说明", "which parts hold or fail, with both sides"),
        },
    ),
    "documents": (
        "存档内容：每个不同的文件一行（按 SHA-256）",
        "Distinct archived content, one row per SHA-256",
        {
            "sha256": ("内容的 SHA-256", "SHA-256 of the bytes"),
            "size": ("字节数", "size in bytes"),
            "media_type": ("由内容判断的类型", "kind sniffed from the bytes (pdf, docx, html …)"),
            "filename": ("原文件名", "original file name"),
            "first_url": ("首次取得的网址", "first URL it was fetched from"),
            "first_seen": ("首次存档", "first archived"),
            "text": ("提取的文字", "extracted text"),
            "pages": ("页数", "pages"),
            "extractor": ("提取程序", "extractor used"),
            "ocr": ("是否文字识别", "1 when OCR was needed"),
            "error": ("提取错误", "extraction error"),
            "tables": ("表格（JSON）", "tables (JSON)"),
            "page_meta": ("网页元数据（JSON）", "page metadata (JSON)"),
            "cells": (
                "表格中每个单元格的读取位置（JSON，与 tables 同形：[页, x0, y0, x1, y1] 或 [表, 行, 格]）",
                "where each cell of tables was read (JSON of the same shape: [page, x0, y0, x1, y1] or "
                "[table, row, cell])",
            ),
            "text_places": (
                "文字中每个数字样词的读取位置（JSON：[起, 止, 页, x0, y0, x1, y1] 或 [起, 止, XPath, 起, 止]）",
                "where each figure-like token of text was read (JSON: [start, end, page, x0, y0, x1, y1] or "
                "[start, end, xpath, start, end]): tables rebuilt from text place their figures by it",
            ),
            "extracted_at": ("提取时间", "when extracted"),
        },
    ),
    "captures": (
        "每一次抓取的响应",
        "Every HTTP response kept",
        {
            "url": ("网址", "URL"),
            "fetched_at": ("抓取时间", "fetch time"),
            "status": ("HTTP 状态", "HTTP status"),
            "sha256": ("内容", "content (documents.sha256)"),
            "role": (
                "角色：list / article / attachment / image / file",
                "role: list, article, attachment, image, file",
            ),
            "referer": ("来源页面", "the page whose link led here"),
            "error": ("错误", "error"),
        },
    ),
    "sites": (
        "门户网站",
        "Portals of the sites file",
        {
            "id": ("门户代码", "portal id"),
            "name": ("名称", "name"),
            "region": ("行政区划", "region"),
            "expected_agencies": ("应当发布报告的机关", "bodies that must publish"),
            "expected_since": ("起始年度", "first year a report is due"),
        },
    ),
    "expected_reports": (
        "应当发布的报告及其状态（第四十九条期限）",
        "Expected reports and their status (article 49 deadlines)",
        {
            "agency": ("机关", "body"),
            "year": ("年度", "year"),
            "deadline": ("期限", "deadline"),
            "status": (
                "状态：on_time / late / missing / removed",
                "on_time, late, missing, removed, not_due",
            ),
        },
    ),
    "codes": (
        "代码与模板中文名称",
        "Canonical codes and their Chinese labels",
        {
            "section": ("表", "table"),
            "kind": ("section / row / col", "section, row or column"),
            "code": ("代码", "code"),
            "label": ("中文名称", "Chinese label"),
        },
    ),
}


def describe(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Documented tables first (in DOCS order), then the rest (internal ones last), with live columns."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'reports_fts%' ORDER BY name"
        )
    ]
    ordered = [n for n in DOCS if n in names] + [n for n in names if n not in DOCS]
    out = []
    for name in ordered:
        zh, en, cols = DOCS.get(name, ("", "", {}))
        columns = [
            {"name": c[1], "type": c[2], "zh": cols.get(c[1], ("", ""))[0], "en": cols.get(c[1], ("", ""))[1]}
            for c in conn.execute(f'PRAGMA table_info("{name}")')
        ]
        out.append({"name": name, "zh": zh, "en": en, "columns": columns})
    return out
