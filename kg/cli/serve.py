"""``kg serve``: explore a build folder's graph, however large, in the browser (see :mod:`kg.server`)."""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from pathlib import Path

import typer

from kg.cli.common import OutOption, fail, say, warn

app = typer.Typer()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (0: a free port), or a one-line error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        fail(f"--host {host}: {exc.strerror}")
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            fail(f"port {port} on {host} is taken: choose another with --port (0: any free port)")
        fail(f"cannot listen on {host}:{port}: {(exc.strerror or str(exc)).lower()}")
    return sock


@app.command("serve")
def serve(
    out: Path = OutOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only). "
                                                        "Another address lets other machines read the graph."),
    port: int = typer.Option(8765, "--port", "-p", min=0, max=65535, help="Port to listen on (0: any free port)."),
) -> None:
    """Explore the graph of OUT in the browser, however large: search, expand entities, filter, evidence.

    A local web server over OUT/index.sqlite (a JSON API under /api and a page that grows from one
    entity); Ctrl-C stops it. Restart it after `kg build` to see the new graph."""
    from kg.graph.indexed import GraphUnavailable
    from kg.server.app import LOOPBACK_HOSTS, GraphService, create_app

    try:
        service = GraphService(out)
    except GraphUnavailable as exc:
        fail(str(exc))
    sock = _listen(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    if is_loopback(host):
        hosts: list[str] | None = [*LOOPBACK_HOSTS, host, shown]
    else:
        hosts = None
        warn(f"serving on {host}, beyond this machine: anyone who can reach it can read the graph and its evidence "
             f"(no login, no encryption)")
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(create_app(service, hosts), log_level="warning", access_log=False,
                                           lifespan="off", server_header=False))
    s = service.stats
    say(("serving", "bold green"), f" {out} ({s['nodes']:,} entities, {s['edges']:,} relations) at "
        f"http://{shown if is_loopback(host) or host not in ('0.0.0.0', '::') else 'localhost'}:{bound_port}/"
        f"  (Ctrl-C stops)")
    sys.stdout.flush()  # the address, for a script reading it through a pipe
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn hands Ctrl-C back once it has shut down: the way to stop a server, not an error
    finally:
        sock.close()
        service.close()
    say("stopped")
