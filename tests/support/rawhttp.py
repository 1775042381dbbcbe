"""A raw asyncio HTTP/1.1 keep-alive server for the generated benchmark portals: http.server's threads cap
far below Scrapy, so the portal is never the bottleneck. Each benchmark gives the answer to a path."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import urlsplit

# path → (status, body, Content-Type)
Answer = Callable[[str], tuple[int, bytes, bytes]]


def page_type(path: str) -> bytes:
    """robots.txt is text; every generated page is UTF-8 HTML."""
    return b"text/plain" if path.endswith(".txt") else b"text/html; charset=utf-8"


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, answer: Answer) -> None:
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            target = line.split(b" ")[1].decode("latin-1")
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            status, body, ctype = answer(urlsplit(target).path)
            writer.write(
                b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: keep-alive\r\n\r\n"
                % (status, b"OK" if status == 200 else b"Not Found", ctype, len(body))
                + body
            )
            await writer.drain()
    except (ConnectionError, IndexError, ValueError):
        pass
    finally:
        writer.close()


async def start(answer: Answer) -> asyncio.Server:
    """A server on a free 127.0.0.1 port (its `sockets[0].getsockname()[1]`)."""
    return await asyncio.start_server(lambda r, w: _handle(r, w, answer), "127.0.0.1", 0, backlog=512)


def serve_forever(answer: Answer) -> None:
    """Serve until killed; the port is printed first (the parent reads it from stdout)."""

    async def main() -> None:
        server = await start(answer)
        print(server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
