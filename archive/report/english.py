"""English labels beside the template's Chinese ones (archive/report/codes.py holds the codes and the
Chinese), the consistency rules and their verdicts in words, how a figure was placed, the report kinds: one
English vocabulary for every product, the researcher's pages (govarchive/datasette_plugin/vocab.py) and the
release's codebook (archive/products/release.py)."""

from __future__ import annotations

SECTION_EN: dict[str, str] = {
    "active": "Proactive disclosure",
    "applications": "Applications received and handled",
    "appeals": "Administrative reviews and lawsuits",
}

ROW_EN: dict[str, dict[str, str]] = {
    "active": {
        "art20_1.regulations": "Rules (规章)",
        "art20_1.normative_docs": "Normative documents",
        "art20_5.licensing": "Administrative licensing",
        "art20_5.other_services": "Other external management services",
        "art20_6.penalty": "Administrative penalties",
        "art20_6.coercion": "Administrative coercion",
        "art20_8.fees": "Administrative fees",
        "art20_9.procurement": "Centralised government procurement",
    },
    "applications": {
        "new": "1. New applications this year",
        "carried_over": "2. Carried over from last year",
        "granted": "3.1 Disclosed",
        "partial": "3.2 Partly disclosed",
        "denied.state_secret": "3.3.1 Refused: state secret",
        "denied.prohibited_by_law": "3.3.2 Refused: prohibited by other laws",
        "denied.security_stability": "3.3.3 Refused: endangers security or stability",
        "denied.third_party": "3.3.4 Refused: third-party rights",
        "denied.internal_affairs": "3.3.5 Refused: internal affairs",
        "denied.process_info": "3.3.6 Refused: process information",
        "denied.enforcement_file": "3.3.7 Refused: enforcement case file",
        "denied.query_service": "3.3.8 Refused: a query service",
        "unavailable.not_held": "3.4.1 Cannot provide: not held",
        "unavailable.needs_creation": "3.4.2 Cannot provide: would need to be created",
        "unavailable.unclear": "3.4.3 Cannot provide: still unclear after correction",
        "not_processed.petition": "3.5.1 Not processed: petition or complaint",
        "not_processed.repeated": "3.5.2 Not processed: repeated application",
        "not_processed.publication": "3.5.3 Not processed: asks for a publication",
        "not_processed.excessive": "3.5.4 Not processed: excessive applications",
        "not_processed.confirmation": "3.5.5 Not processed: asks to confirm or reissue",
        "other": "3.6 Other handling",
        "other.no_correction": "3.6.1 Other: no correction in time",
        "other.no_fee": "3.6.2 Other: fee not paid in time",
        "other.other": "3.6.3 Other: other",
        "processed_total": "3.7 Total handled",
        "carried_forward": "4. Carried forward to next year",
    },
    "appeals": {
        "review": "Administrative review",
        "litigation_direct": "Lawsuit without prior review",
        "litigation_after_review": "Lawsuit after review",
    },
}

COL_EN: dict[str, dict[str, str]] = {
    "active": {
        "made": "Made this year",
        "published": "Published this year",
        "total_public": "Total public",
        "prev_items": "Items last year",
        "change": "Change this year",
        "decisions": "Decisions",
        "projects": "Procurement projects",
        "amount_10k_yuan": "Amount (10k yuan)",
        "issued": "Issued this year",
        "repealed": "Repealed this year",
        "in_force": "In force",
    },
    "applications": {
        "natural_person": "Natural persons",
        "commercial": "Businesses",
        "research": "Research institutions",
        "social_welfare": "Public-interest organisations",
        "legal_service": "Legal service providers",
        "other_org": "Other organisations",
        "total": "Total",
    },
    "appeals": {
        "upheld": "Upheld",
        "corrected": "Corrected",
        "other": "Other result",
        "pending": "Pending",
        "total": "Total",
    },
}

RULES: dict[str, tuple[str, str]] = {
    "balance": (
        "收支平衡：新收 + 上年结转 = 办理结果总计 + 结转下年度",
        "Balance: new + carried over = total handled + carried forward (each column)",
    ),
    "outcomes_sum": (
        "办理结果之和：予以公开 + 部分公开 + 不予公开 + 无法提供 + 不予处理 + 其他处理 = 总计",
        "Outcomes add up: disclosed + partly + refused + cannot provide + not processed + other = total handled",
    ),
    "row_total": (
        "行合计：六类申请人之和 = 总计",
        "Row total: the six kinds of applicant add up to the total (each row)",
    ),
    "appeals_total": (
        "复议诉讼合计：维持 + 纠正 + 其他 + 尚未审结 = 总计",
        "Appeals add up: upheld + corrected + other + pending = total (each group)",
    ),
}

STATUS_WORDS: dict[str, tuple[str, str]] = {
    "ok": ("成立", "holds"),
    "failed": ("不成立", "fails: the published figures contradict each other"),
    "unknown": ("无法核对", "cannot be checked: the cells it needs are blank"),
}

PLACED_BY_EN: dict[str, str] = {
    "label": "placed by its label",
    "number": "placed by its numbering (label damaged)",
    "order": "placed by its position in the table",
    "derived": "derived: not printed, computed from its sub-rows",
}

KIND_EN: dict[str, str] = {"annual_report": "年度报告 annual report", "work_summary": "工作总结 work summary"}
