"""A plain static portal with what the demo's pages never have: article pages without ArticleTitle (the
report's name only in <h1>, the portal's in <title>), a report linked straight from the list as a DOCX,
and a date only in the visible 发布日期 line."""

from __future__ import annotations

from tests.portals import Planted
from tests.portals.docs import DOCX_TYPE, report_docx
from tests.portals.server import Answer, Portal, html

TABLE = (
    "<table border='1'><tr><td colspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
    "<td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td>"
    "<td>总计</td></tr>"
    "<tr><td colspan='3'>一、本年新收政府信息公开申请数量</td>"
    "<td>4</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>5</td></tr>"
    "<tr><td colspan='3'>二、上年结转政府信息公开申请数量</td>"
    "<td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr></table>"
)


def _page(title_tag: str, body: str) -> Answer:
    return html(
        f'<html><head><meta charset="utf-8"><title>{title_tag}</title></head><body>{body}</body></html>'
    )


def build(portal: Portal) -> Planted:
    planted = Planted()
    farm = "测试县农业农村局2022年政府信息公开工作年度报告"
    water = "测试县水利局2022年政府信息公开工作年度报告"
    roads = "测试县交通运输局2022年政府信息公开工作年度报告"
    portal.add(
        "/art/farm.html",
        _page(
            "2022年度政府信息公开工作年度报告_测试县人民政府",
            f"<div class='nav'>首页 &gt; 政务公开</div><h1>{farm}</h1>"
            "<div class='info'>发布日期：2023-01-20 来源：测试县农业农村局</div>"
            "<div class='content'><p>一、总体情况</p><p>本年度依法依规推进政府信息公开。</p>"
            f"<p>三、收到和处理政府信息公开申请情况</p>{TABLE}"
            "<p>五、存在的主要问题及改进情况</p><p>公开内容不够全面。</p></div>",
        ),
    )
    planted.reports.add(("测试县农业农村局", 2022, "annual_report"))
    planted.published[("测试县农业农村局", 2022)] = "2023-01-20"
    portal.add("/files/water2022.docx", Answer(report_docx(water), content_type=DOCX_TYPE))
    planted.reports.add(("测试县水利局", 2022, "annual_report"))
    portal.add(
        "/art/roads.html",
        _page(
            "测试县人民政府",
            f"<h1>{roads}</h1><div>发布时间：2023-01-28</div>"
            f"<p>附件：<a href='/files/roads2022.docx'>{roads}.docx</a></p>",
        ),
    )
    portal.add("/files/roads2022.docx", Answer(report_docx(roads), content_type=DOCX_TYPE))
    planted.reports.add(("测试县交通运输局", 2022, "annual_report"))
    planted.published[("测试县交通运输局", 2022)] = "2023-01-28"
    portal.add(
        "/xxgk/ndbg/index.html",
        _page(
            "政府信息公开年报",
            f"<ul><li><a href='/art/farm.html'>{farm}</a></li>"
            f"<li><a href='/files/water2022.docx'>{water}</a></li>"
            f"<li><a href='/art/roads.html'>{roads}</a></li></ul>",
        ),
    )
    planted.never.append("/nothing")
    return planted
