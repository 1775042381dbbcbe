"""The sites file: typed on load, every mistake one clear line naming file, site and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archive.errors import SitesFileError
from archive.sites import load_sites, parse_sites, select_sites

GOOD = """
[[sites]]
id = "ltq"
name = "吴忠市利通区人民政府"
region = "宁夏回族自治区/吴忠市/利通区"
start_urls = ["http://www.ltq.gov.cn/xxgk/zfxxgknb/"]
allowed_domains = ["ltq.gov.cn"]
render_js = false
expected_agencies = ["利通区卫生健康局", "利通区财政局"]
expected_since = 2019
download_delay = 2.5
concurrency = 1
"""


def test_interface_example_loads_into_typed_site() -> None:
    (site,) = parse_sites(GOOD)
    assert site.id == "ltq"
    assert site.start_urls == ["http://www.ltq.gov.cn/xxgk/zfxxgknb/"]
    assert site.expected_agencies == ["利通区卫生健康局", "利通区财政局"]
    assert site.expected_since == 2019
    assert site.download_delay == 2.5
    assert site.domains() == ["ltq.gov.cn"]


def test_domains_default_to_start_url_hosts() -> None:
    (site,) = parse_sites('[[sites]]\nid="a"\nname="A"\nstart_urls=["http://www.a.gov.cn/x/"]\n')
    assert site.domains() == ["www.a.gov.cn"]


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('colour = "red"', "site ltq: unknown key 'colour'"),
        ('start_urls = ["ftp://x.gov.cn/"]', "is not an http(s) URL"),
        ('start_urls = ["not a url"]', "is not an http(s) URL"),
        ('expected_since = "2019"', "key 'expected_since': expected int"),
        ("render_js = 1", "key 'render_js': expected bool"),
        ('family = "wordpress"', "key 'family'"),
        ('deny = ["(unclosed"]', "bad regex"),
    ],
)
def test_bad_values_name_file_site_and_key(tmp_path: Path, snippet: str, message: str) -> None:
    lines = [line for line in GOOD.splitlines() if not line.startswith(snippet.split(" ")[0] + " ")]
    path = tmp_path / "sites.toml"
    path.write_text("\n".join([*lines, snippet]) + "\n", encoding="utf-8")
    with pytest.raises(SitesFileError) as err:
        load_sites(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_missing_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[[sites]]\nid = "x"\nname = "X"\n', encoding="utf-8")
    with pytest.raises(SitesFileError, match="site x: missing key 'start_urls'"):
        load_sites(path)


def test_duplicate_ids_and_bad_toml_are_errors() -> None:
    with pytest.raises(SitesFileError, match="duplicate id"):
        parse_sites(GOOD + GOOD)
    with pytest.raises(SitesFileError, match="not valid TOML"):
        parse_sites("[[sites]\nid=")


def test_select_unknown_site_lists_known_ones() -> None:
    sites = parse_sites(GOOD)
    with pytest.raises(SitesFileError, match="no site with id 'zz' \\(known: ltq\\)"):
        select_sites(sites, ["zz"])


def test_shipped_sites_file_is_valid() -> None:
    sites = load_sites(Path(__file__).parent.parent / "sites.toml")
    ids = {s.id for s in sites}
    assert {"znx", "ltq"} <= ids
    assert any("znzf.gov.cn" in u for s in sites for u in s.start_urls)


def test_cli_reports_sites_error_as_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(GOOD + "bogus = true\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "govarchive", "crawl", "--sites", str(path), "--data", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == f"govarchive: {path}: site ltq: unknown key 'bogus'"
