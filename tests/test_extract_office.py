"""DOC via LibreOffice: the same grids as the DOCX it was made from, cached, bounded, timed out."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.extract import extract_file, office, soffice
from archive.extract.grid import place
from tests.fixtures_docs import ACTIVE_2019, appeals_spec, applications_spec, converted, needs_soffice

pytestmark = [needs_soffice, pytest.mark.libreoffice]


def test_doc_grids_match_the_source(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ext = extract_file(converted()["doc"], cache_dir=cache)
    assert ext.error is None, ext.error
    assert ext.media_type == "doc"
    assert ext.extractor == "libreoffice+docx-xml"
    # LibreOffice makes the 15-column appeals table 16 columns wide; the artefact column is dropped.
    assert ext.tables == [place(ACTIVE_2019), place(applications_spec()), place(appeals_spec())]
    assert len(list(cache.glob("*.docx"))) == 1


def test_doc_conversion_is_cached(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    extract_file(converted()["doc"], cache_dir=cache)
    (cached,) = cache.glob("*.docx")
    stamp = cached.stat().st_mtime_ns
    again = extract_file(converted()["doc"], cache_dir=cache)
    assert again.error is None
    assert cached.stat().st_mtime_ns == stamp  # read from the cache, not converted again


def test_timeout_kills_libreoffice() -> None:
    ext = office.extract_office(converted()["doc"], "doc", timeout=0.05)
    assert ext.error == "LibreOffice timed out after 0.05 s"


def test_garbage_doc_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    ext = extract_file(bad, cache_dir=tmp_path)
    assert ext.error is not None
    assert ext.error.startswith(("LibreOffice could not convert", "corrupt DOCX"))


def test_slots_bound_concurrency() -> None:
    with soffice.soffice_slot(wait=1) as first:
        if soffice.MAX_SOFFICE == 1:
            with pytest.raises(soffice.ConvertError), soffice.soffice_slot(wait=0.3):
                pass
        else:
            with soffice.soffice_slot(wait=1) as second:
                assert first != second


def test_wps_flavoured_doc_is_sniffed_and_read(tmp_path: Path) -> None:
    from archive.extract.sniff import sniff_file

    path = converted()["wps"]
    assert sniff_file(path) == "wps"
    assert sniff_file(converted()["doc"]) == "doc"
    ext = extract_file(path, cache_dir=tmp_path)
    assert ext.media_type == "wps"
    assert ext.error is None, ext.error
    assert ext.tables == [place(ACTIVE_2019), place(applications_spec()), place(appeals_spec())]
