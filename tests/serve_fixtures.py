"""A real ``kg serve`` process on a build folder, and a small HTTP client for its API (no mocks)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ADDRESS = re.compile(r"at (http://\S+/)")


@dataclass
class Served:
    url: str
    proc: subprocess.Popen[str]
    first_line: str

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> tuple[int, dict[str, str], Any]:
        """(status, headers, body: JSON decoded, or the text) of GET url+path?params."""
        query = urllib.parse.urlencode(params, doseq=True)
        request = urllib.request.Request(self.url + path + ("?" + query if query else ""), headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, head, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            status, head, raw = exc.code, dict(exc.headers), exc.read()
        text = raw.decode("utf-8")
        is_json = head.get("content-type", "").startswith("application/json")
        return status, {k.lower(): v for k, v in head.items()}, json.loads(text) if is_json else text

    def json(self, path: str, **params: Any) -> Any:
        status, _, body = self.get(path, **params)
        assert status == 200, (status, body)
        return body


@contextmanager
def serving(folder: Path, *args: str) -> Iterator[Served]:
    """``kg serve`` on ``folder`` (any free port) until the block ends; then Ctrl-C, as a user stops it."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--out", str(folder), "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    found = ADDRESS.search(first)
    if not found:
        proc.kill()
        raise AssertionError(f"kg serve did not start: {first!r} {proc.communicate()[1]!r}")
    served = Served(found[1], proc, first)
    try:
        yield served
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
