"""The UNO side of the resident LibreOffice (archive/extract/office.py): run by the SYSTEM python3.

Debian's python3-uno (pyuno) is built for the system interpreter only, so this file imports nothing of the
project and is started as `/usr/bin/python3 -I uno_bridge.py PIPE_NAME START_WAIT`. It connects to the
soffice.bin that office.py started with `--accept=pipe,name=PIPE_NAME;urp;`, prints one JSON line
(`{"ready": true}` or `{"error": ...}`), then serves one JSON request per stdin line,
`{"src": path, "dst": path, "filter": name}`, answering `{"ok": true}` or `{"error": message}`.
It exits at stdin's end. Load and store take the media descriptor `soffice --convert-to` uses
(desktop/source/app/dispatchwatcher.cxx), so the DOCX is the one the command line would write.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.io import IOException
from com.sun.star.lang import IllegalArgumentException

# The command line's message when a document cannot be loaded; office.py reports it as it reports the
# one-shot conversion's last stderr line, so both paths give a document the same error.
LOAD_FAILED = "Error: source file could not be loaded"


def _props(**values: Any) -> tuple[Any, ...]:
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name = name
        prop.Value = value
        out.append(prop)
    return tuple(out)


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _connect(pipe: str, wait: float) -> Any:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + wait
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _convert(desktop: Any, src: str, dst: str, filter_name: str) -> dict[str, Any]:
    load = _props(Referer="private:OpenEvent", ReadOnly=True, OpenNewView=True, Hidden=True, Silent=True)
    try:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, load)
    except (IllegalArgumentException, IOException):  # what the command line reports as not loadable
        doc = None
    if doc is None:
        return {"error": LOAD_FAILED}
    try:
        doc.storeToURL(uno.systemPathToFileUrl(dst), _props(Overwrite=True, FilterName=filter_name))
    finally:
        try:
            doc.close(True)
        except Exception:
            doc.dispose()
    return {"ok": True}


def main() -> int:
    pipe, wait = sys.argv[1], float(sys.argv[2])
    try:
        desktop = _connect(pipe, wait)
    except Exception as exc:
        _reply({"error": f"cannot connect to LibreOffice: {type(exc).__name__}: {exc}"})
        return 1
    _reply({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            _reply(_convert(desktop, request["src"], request["dst"], request["filter"]))
        except Exception as exc:  # the office died or failed: office.py decides what to do
            _reply({"error": f"{type(exc).__name__}: {getattr(exc, 'Message', '') or exc}", "uno": True})
    return 0


if __name__ == "__main__":
    sys.exit(main())
