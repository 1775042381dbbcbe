"""Small real report documents for the simulators, made with python-docx (cached per process)."""

from __future__ import annotations

import functools
import io

from docx import Document


@functools.cache
def report_docx(title: str, signer: str = "", date: str = "") -> bytes:
    """A DOCX whose first paragraph is the report's title, as on real portals."""
    doc = Document()
    doc.add_paragraph(title)
    doc.add_paragraph(
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等。"
    )
    doc.add_paragraph("一、总体情况")
    doc.add_paragraph("本年度坚持以公开为常态、不公开为例外，全面推进政府信息公开工作。")
    doc.add_paragraph("五、存在的主要问题及改进情况")
    doc.add_paragraph("公开内容不够全面，下一步将加强培训。")
    if signer:
        doc.add_paragraph(signer)
    if date:
        doc.add_paragraph(date)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_html_body(title: str) -> str:
    """The text of a report published as the page itself (no attachment)."""
    return (
        f"<h1>{title}</h1><div class='TRS_Editor'><p>{title}</p>"
        "<p>本报告根据《中华人民共和国政府信息公开条例》编制。</p><p>一、总体情况</p>"
        "<p>本年度主动公开政府信息，依法办理政府信息公开申请。</p></div>"
    )
