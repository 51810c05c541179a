"""``kg db start|stop|status``: the embedded database server kept running between commands, so that
``kg query`` answers in a fraction of a second instead of starting a server each time (see
:mod:`kg.sinks.store.running`; ``kg query`` also starts one on demand)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from kg.cli.common import OutOption, fail, print_json, say
from kg.sinks.store import DB_DIR

app = typer.Typer(name="db", no_args_is_help=True,
                  help="Keep the embedded database running between commands: kg db start, kg db stop, kg db status.")

IdleOption = typer.Option(None, "--idle-timeout", metavar="SECONDS", min=1,
                          help="Stop after this many seconds without a command using it (default: KG_DB_IDLE, "
                               "else 300).")


def _describe(kept: object, out: Path) -> str:
    from kg.sinks.store.running import Running

    assert isinstance(kept, Running)
    return (f"the embedded database of {out} at {kept.uri} (pid {kept.pid}); it stops after "
            f"{_duration(kept.idle_timeout)} unused, or with `kg db stop`")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


@app.command("start")
def start(
    out: Path = OutOption,
    idle: float | None = IdleOption,
) -> None:
    """Start the embedded database of OUT and keep it running between commands."""
    from kg.sinks.store import running
    from kg.sinks.store.errors import StoreError

    data_dir = out / DB_DIR
    try:
        kept = running.find(data_dir)
        if kept is not None:
            say("already running: ", _describe(kept, out))
            return
        kept = running.start(data_dir, idle or running.idle_timeout() or running.DEFAULT_IDLE)
    except StoreError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", code=130)
    say(("started", "bold green"), " ", _describe(kept, out))


@app.command("stop")
def stop(out: Path = OutOption) -> None:
    """Stop the embedded database of OUT (once the commands using it have finished); the graph is saved."""
    from kg.sinks.store import running
    from kg.sinks.store.errors import StoreError

    try:
        stopped = running.stop(out / DB_DIR)
    except StoreError as exc:
        fail(str(exc))
    if stopped is None:
        say(f"the embedded database of {out} is not running")
    else:
        say(("stopped", "bold"), f" the embedded database of {out} (pid {stopped.pid}); the graph is saved in "
            f"{out / DB_DIR}")


@app.command("status")
def status(
    out: Path = OutOption,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Whether the embedded database of OUT is running, where, and for how long unused (exit code 1: not running)."""
    from kg.sinks.store import running
    from kg.sinks.store.errors import StoreError

    try:
        kept = running.find(out / DB_DIR)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        print_json(None if kept is None else {
            "pid": kept.pid, "uri": kept.uri, "redis_port": kept.redis_port, "data_dir": str(kept.data_dir),
            "up_s": round(time.time() - kept.started, 1), "idle_s": round(kept.idle_for(), 1),
            "idle_timeout_s": kept.idle_timeout})
    elif kept is None:
        say(f"the embedded database of {out} is not running (`kg db start` starts it; `kg query` does too)")
    else:
        idle = kept.idle_for()
        say(("running", "bold green"), f": {kept.uri} (pid {kept.pid}), data in {kept.data_dir}, up "
            f"{_duration(time.time() - kept.started)}, unused for {_duration(idle)}; stops after "
            f"{_duration(kept.idle_timeout)} unused")
    if kept is None:
        raise typer.Exit(1)

