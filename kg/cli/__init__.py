"""The ``kg`` command line: build, extract, explore, query, export.

The commands live in :mod:`kg.cli.root` (``from kg.cli import app`` gives its typer app). This
module stays tiny so that the console entry point, :func:`main`, runs before anything else of
kg is imported: Ctrl-C at any moment, while half a second of modules load too, ends a command with
one line and exit code 130, never a traceback.
"""

from __future__ import annotations

import signal
import sys
from typing import Any, NoReturn

#: Exit code after Ctrl-C (128 + SIGINT), as a shell reports a command it interrupted.
INTERRUPTED = 130


def main() -> None:
    """The ``kg`` console command."""
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started with it ignored
            signal.signal(signal.SIGINT, _on_sigint)
        from kg.cli.root import app

        app()
    except KeyboardInterrupt:  # while the commands load: typer is not running yet
        _interrupted()
    except Exception as exc:
        # Ctrl-C while a compiled module initialises reaches us as that module's ImportError
        # ("initialization failed", from pybind11) or as a library's fallback failing after it
        if _sigint_seen or _caused_by_interrupt(exc):
            _interrupted()
        raise
    except SystemExit as exc:
        # typer ends a command interrupted outside our own handlers with a silent exit 130
        common = sys.modules.get("kg.cli.common")
        if exc.code == INTERRUPTED and not (common is not None and common.error_reported()):
            _interrupted()
        _done()
        raise
    _done()


_sigint_seen = False


def _on_sigint(signum: int, frame: object) -> None:
    """Python's own SIGINT handler, remembering that the user pressed Ctrl-C."""
    global _sigint_seen
    _sigint_seen = True
    raise KeyboardInterrupt


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Is a KeyboardInterrupt among the exceptions ``exc`` was raised from or while handling?"""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        if isinstance(e, KeyboardInterrupt):
            return True
        seen.add(id(e))
        todo += [e.__cause__, e.__context__]
    return False


def _done() -> None:
    """The command has ended and said so: a Ctrl-C now changes nothing. (Python's shutdown puts
    SIGINT's default action back, which would kill the process with no word; an ignored signal
    stays ignored.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupted() -> NoReturn:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while we say so changes nothing
    sys.stderr.write("error: interrupted\n")
    sys.stderr.flush()
    raise SystemExit(INTERRUPTED)


def __getattr__(name: str) -> Any:
    """``kg.cli.app``: the root typer app, imported on first use."""
    if name == "app":
        from kg.cli.root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
