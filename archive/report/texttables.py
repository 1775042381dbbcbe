"""Recover table grids from plain text, the way extractors commonly print report tables.

Renderings handled (see the seeds): tab-separated rows with blank cells; one cell per line with blank lines
between rows (DOCX text, cells `\\t`-indented, wrapped cell text on un-indented lines); markdown pipe tables;
HTML-ish noise (`<b>`); a row whose label a page break cut in two (the second half comes back as a row of
label fragments with no figures); a table continued over a page break with its header repeated.

Columns in such text do not line up reliably (a merged label may take one cell or two); the template mapper
therefore reads a row as "labels, then figures". What this module fixes is what only the text shows:
split rows, repeated headers, and trailing layout cells that are empty in a whole page segment.
"""

from __future__ import annotations

import re
import unicodedata

from archive.model import Grid
from archive.report import codes
from archive.report.values import is_value_cell

_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")
_JUNK = re.compile(r"</?[a-zA-Z][^<>]{0,40}>|\[bookmark:[^\]]*\]")
_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")

Row = list[str]


def grids_from_text(text: str) -> list[Grid]:
    """Every table found in `text`, in document order. Never raises on odd input; returns [] when none."""
    grids: list[Grid] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    for kind, block in _blocks(lines):
        rows = _cell_per_line_rows(block) if kind == "cells" else _tab_rows(block, kind)
        grid = _tidy(rows)
        if len(grid) >= 2 and any(any(c for c in r) for r in grid):
            grids.append(grid)
    if grids:
        return grids
    return _stream_grids(lines) if _is_cell_stream(lines) else _space_grids(lines)


_NUMBERED = re.compile(r"^(\d+[.、．]|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")


def _wrapped_label(pending: list[str]) -> str:
    """The label wrapped over the lines before a figures-only line: up to three lines, or from the last
    numbered line (`1.申请人…`, `（六）…`); header fragments (结果/维持 …) are not a label."""
    if 1 < len(pending) <= 16 and all(len(line) == 1 for line in pending):
        return "".join(pending)  # a label written vertically: one character a line
    numbered = [i for i, line in enumerate(pending) if _NUMBERED.match(line)]
    if numbered:
        return "".join(pending[numbered[-1] :])
    return "".join(pending) if len(pending) <= 3 else ""


# --- text with no cell separators (PDF text layers): "label fig fig fig" per line ---------------------------

_FIGURE = re.compile(r"^[+\-－＋−]?\d[\d,，]*(?:\.\d+)?(?:万元|万)?$|^[-—–/无]$")
_PROSE = 40  # a line this long without figures is running text: it ends a table


def _space_grids(lines: list[str]) -> list[Grid]:
    """Rows from lines that end in figures; a blank cell leaves no trace here, so the mapper right-aligns
    short rows to 总计. Label lines wrapped before their figures are joined (see _wrapped_label)."""
    grids: list[list[Row]] = []
    rows: list[Row] = []
    pending: list[str] = []
    for line in (part for raw in lines for part in _unglue(raw)):
        tokens = _JUNK.sub("", line).split()
        figures: list[str] = []
        while tokens and (_FIGURE.match(tokens[-1]) or (tokens[-1] == "万元" and len(tokens) > 1)):
            token = tokens.pop()
            if token == "万元":
                token = tokens.pop() + " 万元"
                if not _FIGURE.match(token.split()[0]):
                    tokens.append(token.split()[0])
                    break
            figures.insert(0, token)
        label = " ".join(tokens)
        if figures:
            if not label and pending:
                label = _wrapped_label(pending)
            rows.append([label, *figures] if label else figures)
            pending = []
        elif label and any(w in _norm(label) for w in _HEADER_WORDS):
            rows.append(tokens)
            pending = []
        elif rows and _is_header_fragment(rows[-1], tokens):
            rows[-1].extend(tokens)  # a header cell wrapped one fragment a line (商业 / 企业)
            pending.append(label)  # …and still no label of the row below (see _wrapped_label)
        elif not label:
            continue  # page breaks and blank lines do not end a table in a text layer
        elif len(label) > _PROSE:
            if len(rows) >= 2:
                grids.append(rows)
            rows, pending = [], []
        else:
            pending.append(label)
    if len(rows) >= 2:
        grids.append(rows)
    return [[list[str | None](r) for r in g] for g in grids]


_GLUED = re.compile(r"^(\d[\d,]*(?:\.\d+)?)([（(]\S*)$")


def _unglue(line: str) -> list[str]:
    """A text layer can run two table rows into one line (`3.其他 2 0 1 17（七）总计 35 16 188`, a row and
    the header repeated after a page break): split it where a numbered label or a header follows figures."""
    tokens: list[str] = []
    for token in line.split():
        m = _GLUED.match(token)
        tokens += [m.group(1), m.group(2)] if m else [token]
    parts: list[list[str]] = [[]]
    for i, token in enumerate(tokens):
        after_figures = (
            i > 0 and _FIGURE.match(tokens[i - 1]) and any(not _FIGURE.match(t) for t in parts[-1])
        )
        starts = _NUMBERED.match(token) or any(
            _norm(token).lstrip("（(").startswith(w) for w in _HEADER_WORDS
        )
        if after_figures and not _FIGURE.match(token) and starts:
            parts.append([])
        parts[-1].append(token)
    return [" ".join(p) for p in parts] if len(parts) > 1 else [line]


def _is_header_fragment(last: Row, tokens: list[str]) -> bool:
    """Short pieces right after a header row, no numbering, no figures: the rest of wrapped header cells."""
    if not tokens or _has_figures(last) or not any(w in _norm("".join(last)) for w in _HEADER_WORDS):
        return False
    return all(len(t) <= 6 for t in tokens) and not _NUMBERED.match(tokens[0])


# --- one cell per line with nothing between rows (portal pages with a paragraph per cell) -----------------

_STREAM_SHARE = (
    0.3  # lines that are a single figure, of all non-blank lines, above which the text is a stream
)


def _is_cell_stream(lines: list[str]) -> bool:
    texts = [ln.strip() for ln in lines if ln.strip()]
    single = sum(1 for t in texts if len(t.split()) == 1 and _FIGURE.match(t))
    return len(texts) >= 20 and single >= _STREAM_SHARE * len(texts)


def _starts_row(cell: str) -> bool:
    """A label that begins a row of its own: a template row label, a numbered label, a table's header."""
    key = codes.norm(cell)
    return bool(
        codes.active_row(key)
        or codes.application_row(key)
        or _NUMBERED.match(key)
        or any(key.startswith(w) for w in codes.TABLE_STARTS)
    )


def _stream_grids(lines: list[str]) -> list[Grid]:
    """Rows rebuilt from a stream of cells, one a line, with no row boundary and empty cells dropped
    (real-world.md: the structure must come from the labels and the template's shape): a label after
    figures, or a label that starts a row (template row label, numbering, header start), begins a row;
    figures after a header begin a row of figures only (the appeals table's single row)."""
    rows: list[Row] = []
    for line in lines:
        cell = _clean(line)
        if not cell:
            continue
        figure = bool(_FIGURE.match(cell)) or (
            cell.endswith("万元") and bool(_FIGURE.match(cell[:-2].strip()))
        )
        current = rows[-1] if rows else None
        if figure:
            header = current is not None and not _has_figures(current) and _is_header_row(current)
            if current is None or (header and not _starts_data(current)):
                rows.append([cell])
            else:
                current.append(cell)
        elif current is not None and _is_header_row(current) and _is_column_label(cell):
            current.append(cell)  # 总计 under a header is a column, not the row 三（七）总计
        elif current is None or _has_figures(current) or _starts_row(cell):
            if len(cell) > _PROSE and not _starts_row(cell):
                rows.append([])  # running text between tables
                continue
            rows.append([cell])
        else:
            current.append(cell)
    grids: list[Grid] = []
    block: list[Row] = []
    for row in [*rows, []]:
        if row:
            block.append(row)
        elif len(block) >= 2:
            grids.append([list[str | None](r) for r in block])
            block = []
        else:
            block = []
    return grids


def _is_column_label(cell: str) -> bool:
    key = codes.norm(cell)
    return bool(
        codes.application_column(key)
        or codes.active_column(key)
        or any(key == c.label for c in codes.APPEAL_COLUMNS)
    )


def _starts_data(row: Row) -> bool:
    """A single label that is a body row whose figures follow (行政复议 as one appeals row per group)."""
    key = codes.norm(row[0]) if len(row) == 1 else ""
    return bool(key and (codes.appeal_row(key) or codes.active_row(key) or codes.application_row(key)))


# --- finding table blocks ------------------------------------------------------------------------------


def _line_kind(line: str) -> str | None:
    # Pipe rows as portals print them: `| a | b |`, but also `a | b | c |` and `标题 | ||||` (real-world.md).
    stripped = line.strip()
    if (stripped.startswith("|") and stripped.count("|") >= 2) or (
        stripped.endswith("|") and len(stripped) > 1 and not stripped.startswith("|")
    ):
        return "pipe"
    if "\t" in line:
        return "tab"
    return None


def _blocks(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Runs of table lines. Blank lines inside a run are kept (they mark rows or page breaks); a prose line
    after a blank line ends the run, a prose line right after a table line is a wrapped cell."""
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] = []
    kind = ""
    prev_blank = True

    def close() -> None:
        nonlocal current, kind
        while current and not current[-1].strip():
            current.pop()
        if current:
            cells_mode = kind == "tab" and all(re.fullmatch(r"\t[^\t]*", ln) for ln in current if "\t" in ln)
            blocks.append(("cells" if cells_mode else kind, current))
        current, kind = [], ""

    for line in lines:
        lk = _line_kind(line)
        if lk:
            if current and lk != kind:
                close()
            kind = lk
            current.append(line)
        elif not line.strip():
            if current:
                current.append(line)
        elif current and not prev_blank and kind == "tab":
            current.append(line)  # wrapped text of the cell above
        else:
            close()
        prev_blank = not line.strip()
    close()
    return blocks


# --- rows -----------------------------------------------------------------------------------------------


def _clean(cell: str) -> str:
    return _TAG.sub("", cell).strip()


def _cell_per_line_rows(lines: list[str]) -> list[Row]:
    """One cell per `\\t`-line, rows separated by blank lines, un-indented lines continue the cell above."""
    rows: list[Row] = []
    row: Row = []
    for line in [*lines, ""]:
        if not line.strip() and not line.startswith("\t"):
            if row:
                rows.append(row)
            row = []
        elif line.startswith("\t"):
            row.append(_clean(line[1:]))
        elif row:
            row[-1] += _clean(line)
    return rows


def _tab_rows(lines: list[str], kind: str) -> list[Row]:
    """Rows of a tab- or pipe-separated block. A row after a page break (blank line) that holds only label
    fragments continues the row above it cell by cell; prose lines continue the last cell."""
    rows: list[Row] = []
    after_break = False
    for line in lines:
        if not line.strip():
            after_break = True
            continue
        if kind == "pipe":
            if _PIPE_RULE.match(line):
                continue
            cells = [_clean(c) for c in line.strip().strip("|").split("|")]
        elif "\t" not in line:
            if rows and rows[-1]:
                rows[-1][-1] += _clean(line)
            continue
        else:
            cells = [_clean(c) for c in line.split("\t")]
        if after_break and rows and _is_fragment_row(cells) and _has_figures(rows[-1]):
            rows[-1] = _merge_fragments(rows[-1], cells)
        else:
            rows.append(cells)
        after_break = False
    return rows


def _has_figures(row: Row) -> bool:
    return any(c and is_value_cell(c) for c in row)


def _is_fragment_row(row: Row) -> bool:
    """Label pieces only: no figure, and not the start of a header (those carry known header words)."""
    texts = [c for c in row if c]
    if not texts or _has_figures(row):
        return False
    joined = _norm("".join(texts))
    return not any(w in joined for w in _HEADER_WORDS)


def _merge_fragments(above: Row, below: Row) -> Row:
    merged = list(above) + [""] * max(0, len(below) - len(above))
    for i, piece in enumerate(below):
        if piece:
            merged[i] = merged[i] + piece
    return merged


# --- tidying a block ------------------------------------------------------------------------------------

_HEADER_WORDS = codes.HEADER_WORDS


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _is_header_row(row: Row) -> bool:
    return not _has_figures(row) and any(w in _norm("".join(row)) for w in _HEADER_WORDS)


def _tidy(rows: list[Row]) -> Grid:
    """Drop a header repeated after a page break, then trim trailing cells that are empty in every row of a
    page segment (text renderers pad rows with them, which would shift figures to the left of the total)."""
    seen_headers: set[str] = set()
    first_header = ""
    segments: list[list[Row]] = [[]]
    in_repeat = False
    for row in rows:
        key = _norm("|".join(c for c in row if c))
        if _is_header_row(row):
            # Only a repeat of the table's first header row starts a continuation: sub-headers such as
            # 信息内容 legitimately recur inside section 二.
            if key == first_header and segments[-1]:
                segments.append([])  # continuation after a page break: its own column layout
                in_repeat = True
                continue
            if in_repeat and key in seen_headers:
                continue
            first_header = first_header or key
            seen_headers.add(key)
        in_repeat = False
        segments[-1].append(row)
    grid: Grid = []
    for segment in segments:
        width = max((len(r) for r in segment), default=0)
        while width and all(len(r) < width or not r[width - 1] for r in segment):
            width -= 1
        grid.extend(list(r[:width]) for r in segment)
    return grid
