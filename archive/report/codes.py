"""Canonical codes of the national report templates (report-format.md).

Every extracted figure is stored under (section, row, col). Codes are stable ASCII names; the Chinese
labels stand beside them in the corpus. This module is the single source of the template's vocabulary: the
codes, their labels and numbering (一、二、三（一）…（七）、四 and 1.–8. inside a group), the phrases that
recognise a row or column label, the header words of each section and the marks of each template. The
mapper (archive/report/template.py and the modules it calls) holds no vocabulary of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

SECTIONS: dict[str, str] = {
    "active": "主动公开政府信息情况",
    "applications": "收到和处理政府信息公开申请情况",
    "appeals": "政府信息公开行政复议、行政诉讼情况",
}

TEMPLATES: dict[str, str] = {
    "2019": "国办公开办函〔2019〕60号",
    "2021": "国办公开办函〔2021〕30号",
}


@dataclass(frozen=True)
class Code:
    code: str
    label: str


# --- Section 二: active -------------------------------------------------------------------------------

ACTIVE_ROWS: dict[str, str] = {
    "art20_1.regulations": "规章",
    "art20_1.normative_docs": "规范性文件",
    "art20_5.licensing": "行政许可",
    "art20_5.other_services": "其他对外管理服务事项",
    "art20_6.penalty": "行政处罚",
    "art20_6.coercion": "行政强制",
    "art20_8.fees": "行政事业性收费",
    "art20_9.procurement": "政府集中采购",
}

# Columns per row, by template; order is the template's column order.
ACTIVE_COLUMNS: dict[str, dict[str, list[Code]]] = {
    "2019": {
        "art20_1.regulations": [
            Code("made", "本年新制作数量"),
            Code("published", "本年新公开数量"),
            Code("total_public", "对外公开总数量"),
        ],
        "art20_5.licensing": [
            Code("prev_items", "上一年项目数量"),
            Code("change", "本年增/减"),
            Code("decisions", "处理决定数量"),
        ],
        "art20_6.penalty": [
            Code("prev_items", "上一年项目数量"),
            Code("change", "本年增/减"),
            Code("decisions", "处理决定数量"),
        ],
        "art20_8.fees": [Code("prev_items", "上一年项目数量"), Code("change", "本年增/减")],
        "art20_9.procurement": [Code("projects", "采购项目数量"), Code("amount_10k_yuan", "采购总金额")],
    },
    "2021": {
        "art20_1.regulations": [
            Code("issued", "本年制发件数"),
            Code("repealed", "本年废止件数"),
            Code("in_force", "现行有效件数"),
        ],
        "art20_5.licensing": [Code("decisions", "本年处理决定数量")],
        "art20_6.penalty": [Code("decisions", "本年处理决定数量")],
        "art20_8.fees": [Code("amount_10k_yuan", "本年收费金额（单位：万元）")],
    },
}
# Rows that share the column set of a sibling row.
_SAME_COLUMNS_AS = {
    "art20_1.normative_docs": "art20_1.regulations",
    "art20_5.other_services": "art20_5.licensing",
    "art20_6.coercion": "art20_6.penalty",
}

# Rows present in each template (2021 dropped 其他对外管理服务事项 and 第（九）项).
ACTIVE_ROWS_BY_TEMPLATE: dict[str, list[str]] = {
    "2019": list(ACTIVE_ROWS),
    "2021": [r for r in ACTIVE_ROWS if r not in ("art20_5.other_services", "art20_9.procurement")],
}


def active_columns(template: str, row: str) -> list[Code]:
    """The columns of one row of section 二 in one template (empty when the row is not in it)."""
    if row not in ACTIVE_ROWS_BY_TEMPLATE.get(template, []):
        return []
    key = _SAME_COLUMNS_AS.get(row, row)
    return ACTIVE_COLUMNS[template][key]


# --- Section 三: applications -------------------------------------------------------------------------

APPLICATION_COLUMNS: list[Code] = [
    Code("natural_person", "自然人"),
    Code("commercial", "商业企业"),
    Code("research", "科研机构"),
    Code("social_welfare", "社会公益组织"),
    Code("legal_service", "法律服务机构"),
    Code("other_org", "其他"),
    Code("total", "总计"),
]
APPLICANT_COLUMNS = [c.code for c in APPLICATION_COLUMNS if c.code != "total"]

APPLICATION_ROWS: dict[str, str] = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "三（一）予以公开",
    "partial": "三（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied.state_secret": "三（三）1. 属于国家秘密",
    "denied.prohibited_by_law": "三（三）2. 其他法律行政法规禁止公开",
    "denied.security_stability": "三（三）3. 危及“三安全一稳定”",
    "denied.third_party": "三（三）4. 保护第三方合法权益",
    "denied.internal_affairs": "三（三）5. 属于三类内部事务信息",
    "denied.process_info": "三（三）6. 属于四类过程性信息",
    "denied.enforcement_file": "三（三）7. 属于行政执法案卷",
    "denied.query_service": "三（三）8. 属于行政查询事项",
    "unavailable.not_held": "三（四）1. 本机关不掌握相关政府信息",
    "unavailable.needs_creation": "三（四）2. 没有现成信息需要另行制作",
    "unavailable.unclear": "三（四）3. 补正后申请内容仍不明确",
    "not_processed.petition": "三（五）1. 信访举报投诉类申请",
    "not_processed.repeated": "三（五）2. 重复申请",
    "not_processed.publication": "三（五）3. 要求提供公开出版物",
    "not_processed.excessive": "三（五）4. 无正当理由大量反复申请",
    "not_processed.confirmation": "三（五）5. 要求行政机关确认或重新出具已获取信息",
    "other": "三（六）其他处理",
    "other.no_correction": "三（六）1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.no_fee": "三（六）2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.other": "三（六）3. 其他",
    "processed_total": "三（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
OTHER_SUBROWS = ["other.no_correction", "other.no_fee", "other.other"]
APPLICATION_ROWS_BY_TEMPLATE: dict[str, list[str]] = {
    "2019": [r for r in APPLICATION_ROWS if r not in OTHER_SUBROWS],
    "2021": list(APPLICATION_ROWS),
}
OUTCOME_ROWS = [
    r
    for r in APPLICATION_ROWS
    if r in ("granted", "partial", "other") or r.split(".")[0] in ("denied", "unavailable", "not_processed")
]

# --- Section 四: appeals ------------------------------------------------------------------------------

APPEAL_ROWS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼—未经复议直接起诉",
    "litigation_after_review": "行政诉讼—复议后起诉",
}
APPEAL_COLUMNS: list[Code] = [
    Code("upheld", "结果维持"),
    Code("corrected", "结果纠正"),
    Code("other", "其他结果"),
    Code("pending", "尚未审结"),
    Code("total", "总计"),
]


def row_label(section: str, row: str) -> str:
    table = {"active": ACTIVE_ROWS, "applications": APPLICATION_ROWS, "appeals": APPEAL_ROWS}[section]
    return table[row]


def col_label(section: str, col: str, template: str | None = None, row: str | None = None) -> str:
    if section == "applications":
        return next(c.label for c in APPLICATION_COLUMNS if c.code == col)
    if section == "appeals":
        return next(c.label for c in APPEAL_COLUMNS if c.code == col)
    for tpl in ([template] if template else []) + ["2019", "2021"]:
        for r in [row] if row else ACTIVE_ROWS:
            for c in active_columns(tpl, r):
                if c.code == col:
                    return c.label
    return col


# --- label normalisation ------------------------------------------------------------------------------------

# Traditional → simplified for the template vocabulary (portals publishing in traditional script, OCR).
_TRAD = str.maketrans(
    "規範許處罰強費採購開與務項數請資計總結轉續辦審議訟復維糾據關決為護權屬國險穩內過執檔詢機"
    "沒現製補確訪舉報訴複當發廢經別區僅這實對門單繳納獲證圍體組織業構會個額萬減條況稱於號從錄"
    "問題應將並無計劃衛設營產種類幹",
    "规范许处罚强费采购开与务项数请资计总结转续办审议讼复维纠据关决为护权属国险稳内过执档询机"
    "没现制补确访举报诉复当发废经别区仅这实对门单缴纳获证围体组织业构会个额万减条况称于号从录"
    "问题应将并无计划卫设营产种类干",
)
_DROP = re.compile(r"</?[a-zA-Z][^<>]{0,40}>|[\s\"'“”‘’「」『』《》]")


def norm(text: str | None) -> str:
    """NFKC (full-width brackets/digits → ASCII, Kangxi radicals → ideographs), traditional → simplified,
    no whitespace, quotes or tags."""
    if not text:
        return ""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).translate(_TRAD))


# --- recognition: the phrases that identify a label ---------------------------------------------------------
# Each table is in MATCH order: the first entry whose phrase occurs in a label wins, so a more specific
# phrase comes before a general one (其他法律… before 其他处理, 规范性文件 before 规章, 总计 last).

APPLICATION_ROW_PHRASES: list[tuple[str, tuple[str, ...]]] = [
    ("new", ("新收",)),
    ("carried_over", ("上年结转",)),
    ("carried_forward", ("结转下年", "继续办理")),
    ("partial", ("部分公开",)),
    ("denied.state_secret", ("国家秘密",)),
    ("denied.prohibited_by_law", ("法律行政法规", "法规禁止", "禁止公开")),
    ("denied.security_stability", ("三安全", "一稳定")),
    ("denied.third_party", ("第三方",)),
    ("denied.internal_affairs", ("内部事务",)),
    ("denied.process_info", ("过程性",)),
    ("denied.enforcement_file", ("执法案卷",)),
    ("denied.query_service", ("查询事项",)),
    ("unavailable.not_held", ("不掌握",)),
    ("unavailable.needs_creation", ("另行制作", "现成信息")),
    ("unavailable.unclear", ("仍不明确", "补正后申请")),
    ("not_processed.petition", ("信访", "举报投诉")),
    ("not_processed.repeated", ("重复申请",)),
    ("not_processed.publication", ("出版物",)),
    ("not_processed.excessive", ("大量反复",)),
    ("not_processed.confirmation", ("重新出具", "确认或")),
    ("other.no_correction", ("不补正",)),
    ("other.no_fee", ("缴纳费用", "收费通知")),
    ("other", ("其他处理",)),
    ("processed_total", ("总计", "合计")),
]
# 予以公开 is `granted` unless it is 不予公开 (a group label); a bare 其他 is `other.other` only in context.
GRANTED_PHRASE, GRANTED_NOT = "予以公开", "不予"
BARE_OTHER = "其他"

APPLICATION_COLUMN_PHRASES: list[tuple[str, str]] = [
    ("自然人", "natural_person"),
    ("商业企业", "commercial"),
    ("科研机构", "research"),
    ("社会公益", "social_welfare"),
    ("法律服务", "legal_service"),
    ("总计", "total"),
    ("合计", "total"),
]
# Header cells that span applicant columns and name none of them.
APPLICATION_COLUMN_GROUPS = ("法人或其他组织", "申请人情况", "本列数据")

ACTIVE_ROW_PHRASES: list[tuple[str, tuple[str, ...]]] = [
    ("art20_1.normative_docs", ("规范性文件",)),
    ("art20_1.regulations", ("规章",)),
    ("art20_5.licensing", ("行政许可",)),
    ("art20_5.other_services", ("对外管理服务",)),
    ("art20_6.penalty", ("行政处罚",)),
    ("art20_6.coercion", ("行政强制",)),
    ("art20_8.fees", ("事业性收费",)),
    ("art20_9.procurement", ("集中采购",)),
]
ACTIVE_COLUMN_PHRASES: list[tuple[str, str]] = [
    ("新制作", "made"),
    ("新公开", "published"),
    ("公开总数", "total_public"),
    ("上一年项目", "prev_items"),
    ("上年项目", "prev_items"),
    ("增/减", "change"),
    ("增减", "change"),
    ("处理决定", "decisions"),
    ("采购项目", "projects"),
    ("总金额", "amount_10k_yuan"),
    ("收费金额", "amount_10k_yuan"),
    ("制发", "issued"),
    ("废止", "repealed"),
    ("现行有效", "in_force"),
]
APPEAL_ROW_PHRASES: list[tuple[str, str]] = [
    ("未经复议", "litigation_direct"),
    ("复议后", "litigation_after_review"),
    ("行政复议", "review"),
]

# Words that make a figure-less row the header of a section's table.
APPEAL_HEADER = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "尚未审结")
APPLICATION_HEADER = ("本列数据", "申请人情况", "自然人", "法人或其他组织", "商业企业")
ACTIVE_HEADER = ("信息内容", "第二十条")
ACTIVE_SUBHEADER = ACTIVE_HEADER[0]  # the column header row of each 第二十条 item
# Cells that begin a table or a sub-table (a header row) in text that has lost its row boundaries.
TABLE_STARTS = ("信息内容", "第二十条", "本列数据", "行政复议")
# Group labels of section 三 that carry no figures of their own (三、本年度办理结果, （三）不予公开 …).
APPLICATION_GROUP_WORDS = ("办理结果", "不予公开", "无法提供", "不予处理", "其他处理")
# Every header word, for text renderings that must tell a header row from a row of label fragments.
HEADER_WORDS = (
    *APPLICATION_HEADER,
    *ACTIVE_HEADER,
    "行政复议",
    "行政诉讼",
    "结果维持",
)

# Labels only one template has, and the circular that names it.
TEMPLATE_MARKERS: dict[str, tuple[str, ...]] = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "不补正", "缴纳费用", "本年收费金额"),
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "第二十条第(九)项",
        "上一年项目数量",
        "集中采购",
        "对外管理服务",
    ),
}
TEMPLATE_CIRCULARS = {"2021": re.compile(r"2021[\]〕】)]?30号"), "2019": re.compile(r"2019[\]〕】)]?60号")}


def first_match(label: str, table: Sequence[tuple[str, tuple[str, ...]]]) -> str | None:
    """The code of the first entry of a phrase table with a phrase in `label` (normalised)."""
    return next((code for code, phrases in table if any(p in label for p in phrases)), None)


def application_row(label: str) -> str | None:
    code = first_match(label, APPLICATION_ROW_PHRASES)
    if code is None and GRANTED_PHRASE in label and GRANTED_NOT not in label:
        return "granted"
    return code


def application_column(cell: str) -> str | None:
    if not cell or any(w in cell for w in APPLICATION_COLUMN_GROUPS):
        return None
    code = next((c for p, c in APPLICATION_COLUMN_PHRASES if p in cell), None)
    return code or ("other_org" if cell == BARE_OTHER else None)


def active_row(label: str) -> str | None:
    return first_match(label, ACTIVE_ROW_PHRASES)


def active_column(cell: str) -> str | None:
    return next((code for phrase, code in ACTIVE_COLUMN_PHRASES if phrase in cell), None)


def appeal_row(label: str) -> str | None:
    return next((code for phrase, code in APPEAL_ROW_PHRASES if phrase in label), None)


def is_bare_other(label: str) -> bool:
    return re.sub(r"^[\d.、()一二三四五六七八九十]+", "", label) == BARE_OTHER
