"""Broken model files, for the tests that every ``--*-model`` option reports them in one line."""

from __future__ import annotations

from pathlib import Path

#: (content, what the one-line error says): no file, a file that is no model, a folder.
BAD_MODEL_FILES = [(None, "no such model file"), (b"garbage", "not a kg"), ("DIR", "a folder, not a model file")]


def bad_model_file(tmp_path: Path, content: bytes | str | None) -> Path:
    """``tmp_path/bad.npz`` made as ``content`` says: absent (None), a folder ("DIR") or these bytes."""
    bad = tmp_path / "bad.npz"
    if content == "DIR":
        bad.mkdir()
    elif isinstance(content, bytes):
        bad.write_bytes(content)
    return bad
