"""`<w:altChunk>`: a DOCX part that is really HTML or MHT (web editors and CMS exports write these);
Word renders it inline, so its text and tables belong to the document at that point."""

from __future__ import annotations

import email
import email.policy
import posixpath
import zipfile
from collections.abc import Callable

from archive.extract.limits import parse_xml, read_member
from archive.model import Grid

AltReader = Callable[[str], tuple[str, list[Grid]]]
_RELS = "word/_rels/document.xml.rels"


def html_of(data: bytes) -> tuple[bytes, str | None]:
    """The HTML inside an MHT (MIME) chunk, with its declared charset; other chunks are taken as they are."""
    if b"MIME-Version" in data[:4096] or b"multipart/related" in data[:4096]:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        for part in msg.walk():
            if part.get_content_type() == "text/html":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    return payload, part.get_content_charset()
    return data, None


def alt_chunk_reader(zf: zipfile.ZipFile) -> AltReader:
    """A function from an altChunk's relationship id to the (text, tables) of the part it points at."""
    try:
        rels = parse_xml(read_member(zf, _RELS))
    except KeyError:
        rels = None
    targets = {rel.get("Id", ""): rel.get("Target", "") for rel in (rels if rels is not None else [])}

    def read(rid: str) -> tuple[str, list[Grid]]:
        from archive.extract.html import extract_html

        target = targets.get(rid, "")
        if not target or "://" in target:
            return "", []  # external or missing: never fetched
        name = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join("word", target))
        )
        html, charset = html_of(read_member(zf, name))
        ext = extract_html(html, charset)
        return ext.text, ext.tables

    return read
