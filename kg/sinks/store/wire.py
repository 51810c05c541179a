"""Raw-socket helpers: free ports, one Redis (RESP) command, and a Bolt handshake probe.

They need no driver, so they work while a server is still starting, and they let us step around
a FalkorDB quirk: after a client closes its Bolt connection politely (GOODBYE), the *next* new
TCP connection's handshake is never answered. A probe connection absorbs that dead slot, so the
driver's own connection that follows is answered at once instead of hanging until a timeout.
"""

from __future__ import annotations

import random
import socket
import time
from dataclasses import dataclass
from typing import BinaryIO

# Bolt magic preamble followed by four proposed versions: 5.4 (range 0), 5.0, 4.4, 3.0.
BOLT_HANDSHAKE = (b"\x60\x60\xb0\x17" + b"\x00\x00\x04\x05" + b"\x00\x00\x00\x05"
                  + b"\x00\x00\x04\x04" + b"\x00\x00\x00\x03")


def free_port(host: str = "", low: int = 0, high: int = 0) -> int:
    """A TCP port that is free right now (``host=""`` checks all interfaces).

    Without a range the OS picks one; with ``low..high`` a random free port in that range.
    """
    for _ in range(200 if high else 1):
        port = random.randint(low, high) if high else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError(f"no free TCP port in {low}..{high}")


#: New connections tried before a command is given up, and how long each may take to answer.
OPENING_TRIES = 6
OPENING_TIMEOUT = 0.5


def _encode(args: tuple[str, ...]) -> bytes:
    payload = b"*%d\r\n" % len(args)
    for arg in args:
        data = arg.encode()
        payload += b"$%d\r\n%s\r\n" % (len(data), data)
    return payload


def _read_reply(fh: BinaryIO) -> bytes:
    """One whole RESP reply, raw (``b""`` if the server hung up)."""
    line = fh.readline()
    if not line:
        return b""
    kind, body = line[:1], line[1:-2]
    if kind == b"$" and int(body) >= 0:
        return line + fh.read(int(body) + 2)
    if kind == b"*" and int(body) > 0:
        return line + b"".join(_read_reply(fh) for _ in range(int(body)))
    return line


def resp_command(port: int, *args: str, host: str = "127.0.0.1", timeout: float = 2.0,
                 password: str | None = None) -> bytes:
    """Send one Redis command (after ``AUTH password`` if given) and return its raw reply
    (``b""`` if the server hung up).

    The command goes only on a connection the server has answered: ``AUTH`` (or ``PING``) is sent
    alone first, with a short timeout, on up to :data:`OPENING_TRIES` new connections, so that a
    dead slot (see the module docstring) costs half a second, not the command's whole ``timeout``
    (600 s for a SAVE, with the signals held back)."""
    opening = _encode(("AUTH", password)) if password else _encode(("PING",))
    for attempt in range(OPENING_TRIES):
        with socket.create_connection((host, port), timeout=timeout) as s, s.makefile("rb") as fh:
            answered = False
            try:
                s.settimeout(min(timeout, OPENING_TIMEOUT))
                s.sendall(opening)
                first = _read_reply(fh)
                answered = True
                if not first or (password and not first.startswith(b"+OK")):
                    return first
                s.settimeout(timeout)
                s.sendall(_encode(args))
                return _read_reply(fh)
            except ConnectionResetError:
                return b""
            except TimeoutError:
                if answered or attempt + 1 == OPENING_TRIES:
                    raise  # the command itself took too long, or every connection was a dead slot
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class RedisPort:
    """The Redis port of our embedded server, with its password."""

    port: int
    password: str | None = None

    def command(self, *args: str, timeout: float = 2.0) -> bytes:
        return resp_command(self.port, *args, timeout=timeout, password=self.password)

    def ask(self, *args: str, tries: int = 6, timeout: float = 0.5) -> bytes | None:
        """The reply to a quick command on a new connection, asked up to ``tries`` times (None if
        no try got one): each Bolt connection closed since leaves one dead slot, a connection the
        server never answers, and the driver may have closed several; a live one answers in ms."""
        for _ in range(tries):
            try:
                return self.command(*args, timeout=timeout)
            except OSError:
                continue
        return None


def bolt_answers(host: str, port: int, timeout: float = 0.5) -> bool | None:
    """Does a Bolt server at ``host:port`` answer the version handshake within ``timeout``?

    True: it answered. False: it accepted the connection but stayed silent (or timed out).
    None: nothing listens there (connection refused or unreachable).
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(BOLT_HANDSHAKE)
            return len(s.recv(4)) == 4
    except (ConnectionRefusedError, socket.gaierror):
        return None
    except OSError:  # reset or timed out: there is a server, it did not answer this time
        return False


def wait_for_bolt(host: str, port: int, deadline: float, timeout: float = 0.5,
                  retry_refused: bool = True) -> bool:
    """Probe until one handshake is answered or ``deadline`` (a ``time.monotonic()`` value) passes.

    ``retry_refused=False`` gives up at once when nothing listens (no point waiting for a
    server we did not start).
    """
    while True:
        answered = bolt_answers(host, port, timeout)
        if answered:
            return True
        if (answered is None and not retry_refused) or time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
