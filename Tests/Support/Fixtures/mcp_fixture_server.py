"""An MCP server written with the reference Python SDK (`mcp<2`, FastMCP), for
Troupe's MCP tests.

    python3 mcp_fixture_server.py stdio
    python3 mcp_fixture_server.py http [--json]

Over HTTP it binds 127.0.0.1 on a free port, prints `PORT <n>` on stdout, then
serves streamable HTTP at /mcp (answers as SSE, or as plain JSON with --json).
"""
import asyncio
import os
import socket
import sys

from mcp.server.fastmcp import FastMCP

server = FastMCP("troupe-fixture", json_response="--json" in sys.argv)


@server.tool()
def echo(text: str) -> str:
    """Returns its text unchanged."""
    return text


@server.tool()
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@server.tool()
def fail(reason: str = "no reason") -> str:
    """Always fails with the given reason."""
    raise ValueError(f"fail was asked to fail: {reason}")


@server.tool()
def crash() -> str:
    """Exits the server in the middle of the call."""
    sys.stderr.write("fixture: crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool()
async def sleep(seconds: float = 1.0) -> str:
    """Waits the given number of seconds, then answers."""
    await asyncio.sleep(seconds)
    return f"slept {seconds}s"


def serve_http() -> None:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # listening before the port is announced: no refused first connection
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(server.streamable_http_app(), log_level="warning")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "stdio"
    if mode == "http":
        serve_http()
    else:
        server.run("stdio")
