"""`govarchive sites check` against the loopback portals of every CMS family: it names the family and
the page holding the report list, flags an unreachable start URL (exit 1) and an invalid file (exit 2)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port, run_cli
from tests.portals import gkmlpt, hanweb, jsapi, plain, trs, yeardept, yeartabs
from tests.portals.harness import write_sites
from tests.portals.server import Portal


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, dict[str, str]]]:
    portals: list[Portal] = []

    def up(host: str, build, path: str, site_id: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
        portal = Portal(host)
        base = portal.start()
        portals.append(portal)
        build(portal)
        return {"id": site_id, "name": "测试县人民政府", "start_urls": [base + path]}

    try:
        offsite = Portal("127.0.0.39")
        offsite.start()
        portals.append(offsite)
        sites = [
            up("127.0.0.30", plain.build, "/xxgk/ndbg/index.html", "plain"),
            up("127.0.0.31", lambda p: trs.build(p, offsite.base_url), "/", "trs"),
            up("127.0.0.32", hanweb.build, "/", "hanweb"),
            up("127.0.0.33", gkmlpt.build, "/gkmlpt/index#2890", "gkmlpt"),
            up("127.0.0.34", yeartabs.build, "/bmnb/index.html", "yeartabs"),
            up("127.0.0.35", jsapi.build, "/xxgk/list.html", "jsapi"),
            up("127.0.0.36", yeardept.build, "/ndbg/index.html", "yeardept"),
            {"id": "dead", "name": "别县", "start_urls": [f"http://127.0.0.1:{free_port()}/"]},
        ]
        path = write_sites(tmp_path_factory.mktemp("check") / "sites.toml", sites)
        proc = run_cli("sites", "check", "--sites", str(path), "--timeout", "5", timeout=300)
    finally:
        for portal in portals:
            portal.stop()
    blocks: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", proc.stdout):
        blocks[block.split()[0]] = block
    yield proc.returncode, blocks


@pytest.mark.parametrize(
    ("site", "family", "where"),
    [
        ("plain", "none (plain links)", r"/xxgk/ndbg/index\.html \(start page\): 2 report links"),
        ("trs", "trs", r"/xxgk/zfxxgknb/index\.html \(section 2\): 2 report links"),
        ("hanweb", "hanweb", r"\(data call \(hanweb\)\): 12 report links"),
        ("gkmlpt", "gkmlpt", r"\(data call \(gkmlpt\)\): 4 report links"),
        ("jsapi", "jsapi", r"\(data call \(jsapi\)\): 2 report links"),
        ("yeardept", "year × department platform", r"body links"),
        ("yeartabs", "year × department platform", r"body links"),
    ],
)
def test_family_and_report_list_of_each_portal(
    checked: tuple[int, dict[str, str]], site: str, family: str, where: str
) -> None:
    _, blocks = checked
    block = blocks[site]
    assert "200 text/html" in block and "robots.txt allows" in block, block
    assert family in block.split("family:", 1)[1].splitlines()[0], block
    assert re.search(where, block), block


def test_an_unreachable_start_url_is_flagged_and_exits_1(checked: tuple[int, dict[str, str]]) -> None:
    code, blocks = checked
    assert "FAILED unreachable" in blocks["dead"] and "Connection refused" in blocks["dead"]
    assert code == 1
    assert "1 start URL(s) need a look" in blocks["checked"]


def test_an_invalid_sites_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text('[[sites]]\nid = "a"\nname = "x"\nstart_urls = ["http://127.0.0.1:9/"]\nstart_url = 1\n')
    proc = run_cli("sites", "check", "--sites", str(path))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "start_url" in proc.stderr


def test_odd_portals_are_reported_not_crashed_on(tmp_path: Path) -> None:
    import socket
    import threading

    from tests.portals.certs import server_context
    from tests.portals.server import html

    garbage = socket.socket()
    garbage.bind(("127.0.0.46", 0))
    garbage.listen()

    def answer_garbage() -> None:
        while True:
            try:
                conn, _ = garbage.accept()
            except OSError:
                return
            with conn:
                conn.recv(4096)
                conn.sendall(b"HELLO\r\n\r\n")

    threading.Thread(target=answer_garbage, daemon=True).start()
    tls = Portal("127.0.0.47", tls=server_context("127.0.0.47", days_valid=(-400, -30)))
    try:
        base = tls.start()
        tls.add("/list.html", html('<a href="/r.html">测试县财政局2022年政府信息公开工作年度报告</a>'))
        sites = write_sites(
            tmp_path / "sites.toml",
            [
                {
                    "id": "junk",
                    "name": "甲",
                    "start_urls": [f"http://127.0.0.46:{garbage.getsockname()[1]}/"],
                },
                {"id": "old", "name": "乙", "start_urls": [base + "/list.html"]},
            ],
        )
        proc = run_cli("sites", "check", "--sites", str(sites), "--timeout", "5")
    finally:
        garbage.close()
        tls.stop()
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "FAILED not an HTTP answer" in proc.stdout
    assert re.search(
        r"certificate: (self-signed certificate|certificate has expired) \(archived anyway", proc.stdout
    )
    assert "(start page): 1 report links" in proc.stdout


def test_a_malformed_start_url_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text('[[sites]]\nid = "a"\nname = "x"\nstart_urls = ["http://[::1/"]\n', encoding="utf-8")
    for args in (("sites", "check"), ("crawl",)):
        proc = run_cli(
            *args, "--sites", str(path), *(("--data", str(tmp_path / "d")) if args == ("crawl",) else ())
        )
        assert proc.returncode == 2, proc.stderr[-2000:]
        assert len(proc.stderr.strip().splitlines()) == 1 and "not a valid URL" in proc.stderr
