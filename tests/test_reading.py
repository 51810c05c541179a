"""Inputs as people have them: folder trees, name patterns, and files in GBK, GB18030, Big5 or
UTF-16, decoded by detection (reported per file) or as told."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg.cli import app
from kg.io.decoding import DecodeError, decode
from kg.io.readers import ReadOptions, iter_documents
from kg.models import Document

runner = CliRunner()
NEWS = "科大讯飞董事长刘庆峰表示，公司与华为合作，共同推出新一代大模型。"
NEWS_TW = "科大訊飛董事長劉慶峰表示，公司與華為合作，共同推出新一代大模型。"


def docs(paths: list[Path], **options) -> list[Document]:
    return [d for d in iter_documents(paths, ReadOptions(**options)) if isinstance(d, Document)]


@pytest.mark.parametrize(("text", "encoding", "expected"), [
    (NEWS, "gbk", "gb18030"), (NEWS, "gb18030", "gb18030"), (NEWS_TW, "big5", "big5"),
    (NEWS, "utf-16", "utf-16"), (NEWS, "utf-16-le", "utf_16_le"), (NEWS, "utf-8-sig", "utf-8"),
])
def test_encodings_are_detected(text: str, encoding: str, expected: str) -> None:
    decoded = decode(text.encode(encoding))
    assert decoded.text.lstrip("\ufeff") == text and decoded.encoding == expected


def test_a_named_encoding_and_what_cannot_be_read() -> None:
    assert decode(NEWS.encode("gbk"), "gbk").text == NEWS
    with pytest.raises(DecodeError, match="not big5"):
        decode("刘庆峰".encode("gbk") + b"\xff\xff", "big5")
    with pytest.raises(DecodeError, match="unknown encoding"):
        decode(b"x", "klingon")
    with pytest.raises(DecodeError, match="binary file"):
        decode(b"\x00\x01\x02\x03" * 50)
    with pytest.raises(DecodeError, match="line 2: not UTF-8"):
        decode("第一行\n".encode() + b"caf\xe9")  # UTF-8 gone bad, not another encoding


SEED_TEXT = "".join(p.read_text(encoding="utf-8") for p in sorted(
    (Path(__file__).resolve().parent.parent / "seeds").glob("*.txt")))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(SEED_TEXT) - 400), st.integers(30, 400), st.sampled_from(["gb18030", "big5", "utf-16"]))
@example(start=8146, length=30, encoding="gb18030")  # 而不精 also reads as Big5 (奧祥儕): once read wrong, silently
@example(start=17881, length=30, encoding="gb18030")  # one character (台。) once read as Korean (johab)
def test_any_stretch_of_news_comes_back_or_is_refused(start: int, length: int, encoding: str) -> None:
    """Never silently wrong: a stretch of news in a legacy encoding comes back as it was, or is
    refused with the --encoding hint; never read as other characters."""
    text = SEED_TEXT[start:start + length]
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        return
    if text.isascii():
        return  # ASCII is UTF-8 already
    try:
        decoded = decode(raw)
    except DecodeError as exc:
        assert "--encoding" in str(exc)
        return
    assert decoded.text.lstrip("\ufeff") == text


def test_the_pinned_stretch_reads_right() -> None:
    """The stretch once read as Big5 is GB18030: its reading in common characters wins clearly."""
    text = SEED_TEXT[8146:8176]
    assert decode(text.encode("gb18030")).text == text


def test_bytes_that_read_as_chinese_in_two_encodings_are_refused() -> None:
    """地方 in GB18030 is 華源 in Big5: both common characters, no clear winner, so no guess."""
    raw = "地方".encode("gb18030")
    assert raw.decode("big5") == "華源"
    with pytest.raises(DecodeError, match="cannot be told.*--encoding"):
        decode(raw)
    assert decode(raw, "gb18030").text == "地方"


def test_folders_walked_recursively_with_ids_from_their_paths(tmp_path: Path) -> None:
    (tmp_path / "2024" / "05").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "top.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "2024" / "05" / "a.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "2024" / "b.md").write_text(NEWS, encoding="utf-8")
    (tmp_path / ".git" / "c.txt").write_text(NEWS, encoding="utf-8")
    assert [d.id for d in docs([tmp_path])] == ["top"]
    assert [d.id for d in docs([tmp_path], recursive=True)] == ["2024/05/a", "2024/b", "top"]
    assert [d.id for d in docs([tmp_path], recursive=True, include=("*.md",))] == ["2024/b"]
    assert [d.id for d in docs([tmp_path], recursive=True, exclude=(tmp_path / "2024",))] == ["top"]


def test_build_reads_a_tree_in_several_encodings_and_says_so(tmp_path: Path) -> None:
    tree = tmp_path / "news"
    (tree / "tw").mkdir(parents=True)
    (tree / "gbk.txt").write_bytes(NEWS.encode("gbk"))
    (tree / "tw" / "big5.txt").write_bytes(NEWS_TW.encode("big5"))
    (tree / "utf16.txt").write_bytes(NEWS.encode("utf-16"))
    (tree / "docs.jsonl").write_bytes((json.dumps({"id": "j", "text": NEWS}, ensure_ascii=False) + "\n")
                                      .encode("gb18030"))
    out = tmp_path / "kg-out"
    result = runner.invoke(app, ["build", str(tree), "--recursive", "--out", str(out), "--no-db", "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert "read as gb18030 (detected" in result.output and "read as big5 (detected" in result.output
    lines = [json.loads(line) for line in (out / "extractions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["doc_id"] for r in lines) == ["gbk", "j", "tw/big5", "utf16"]
    for r in lines:
        assert {"刘庆峰", "科大讯飞", "华为"} <= {e["name"] for e in r["entities"]}, r["doc_id"]


def test_an_output_folder_inside_the_input_tree_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    out = tmp_path / "kg-out"
    for _ in range(2):  # the second build would otherwise read the first one's extractions.jsonl
        result = runner.invoke(app, ["build", str(tmp_path), "--recursive", "--out", str(out), "--no-db", "-q",
                                     "-w", "1"])
        assert result.exit_code == 0, result.output
    ids = [json.loads(line)["doc_id"] for line in (out / "extractions.jsonl").read_text().splitlines()]
    assert ids == ["a"]


def test_a_bad_encoding_option_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(NEWS, encoding="utf-8")
    args = ["extract", str(tmp_path / "in"), "-o", str(tmp_path / "o.jsonl")]
    result = runner.invoke(app, [*args, "--encoding", "klingon"])
    assert result.exit_code == 2 and result.output.strip().splitlines() == [
        "error: --encoding: unknown encoding 'klingon' (e.g. utf-8, gb18030, big5, utf-16)"]
    wrong = runner.invoke(app, [*args, "--encoding", "big5"])
    assert wrong.exit_code == 2 and "not big5" in wrong.output


# --- links and special files in input folders ---------------------------------------------------------

def linked_folder(tmp_path: Path) -> Path:
    """A folder with one good file and what an attacker (or an accident) leaves in a shared folder:
    links to /proc/self/environ, /dev/zero and a text file elsewhere, a dangling link, a FIFO."""
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(NEWS, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("华为创始人任正非表示，华为在深圳。", encoding="utf-8")
    (folder / "env.txt").symlink_to("/proc/self/environ")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "other.txt").symlink_to(elsewhere)
    (folder / "dangling.txt").symlink_to(tmp_path / "nothing.txt")
    os.mkfifo(folder / "pipe.txt")
    return folder


def warnings_of(result) -> dict[str, str]:
    out = {}
    for line in result.stderr.splitlines():
        if line.startswith("warning: skipped "):
            where, _, reason = line.removeprefix("warning: skipped ").partition(": ")
            out[Path(where).name] = reason
    return out


def test_links_in_an_input_folder_are_not_followed_and_special_files_are_skipped(tmp_path: Path) -> None:
    folder = linked_folder(tmp_path)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "-q", "-w", "1"])
    assert result.exit_code == 1, result.output
    not_followed = "symbolic link, not followed (--follow-symlinks reads it)"
    assert warnings_of(result) == {"env.txt": not_followed, "zero.txt": not_followed, "other.txt": not_followed,
                                   "dangling.txt": not_followed, "pipe.txt": "not a regular file (a FIFO)"}
    assert [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["good"]


def test_follow_symlinks_reads_linked_files_but_never_a_device_or_fifo(tmp_path: Path) -> None:
    folder = linked_folder(tmp_path)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "-q", "-w", "1", "--follow-symlinks"])
    assert result.exit_code == 1, result.output
    skipped = warnings_of(result)
    assert skipped["zero.txt"] == "not a regular file (a character device)"
    assert skipped["pipe.txt"] == "not a regular file (a FIFO)"
    assert skipped["dangling.txt"].startswith("cannot read")
    assert "other.txt" not in skipped
    ids = [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert "other" in ids and "good" in ids


def test_a_linked_folder_in_a_tree_is_walked_only_when_asked(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "a").mkdir(parents=True)
    (tree / "a" / "x.txt").write_text(NEWS, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "y.txt").write_text(NEWS_TW, encoding="utf-8")
    (tree / "b").symlink_to(outside)
    (tree / "a" / "loop").symlink_to(tree)  # a loop: followed, it must not go round forever
    items = list(iter_documents([tree], ReadOptions(recursive=True)))
    assert [d.id for d in items if isinstance(d, Document)] == ["a/x"]
    assert {Path(p.where).name for p in items if not isinstance(p, Document)} == {"b", "loop"}
    followed = docs([tree], recursive=True, follow_symlinks=True)
    assert sorted(d.id for d in followed) == ["a/x", "b/y"]


def test_a_device_named_on_the_command_line_is_skipped(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", "/dev/zero", "-o", str(tmp_path / "out.jsonl"), "-q"])
    assert result.exit_code == 2, result.output
    assert "skipped /dev/zero: not a regular file (a character device)" in result.stderr
