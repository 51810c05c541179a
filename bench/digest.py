"""Digest of kg's outputs: sha256 of every file `kg extract`, `kg build --no-db` and `kg export` write, on the
shipped seeds (seeds/) and on a fixed 2 MB slice of real text (MSRA train sentences from ../shared).

A refactoring that must not change behaviour is checked by running this before and after and
comparing the two listings (`python -m bench.digest > before.txt`, ..., `diff before.txt after.txt`).

Outputs are hashed as written except for two paths that differ run to run: the output folder (graph.html
names it) and the input folder (each extraction's `source` names its file) are replaced by `OUT` and
`IN` before hashing. index.sqlite is left
out (a SQLite file's bytes depend on page allocation, not only on its content); its content is covered
by graph.json, from which it is built.

Usage: python -m bench.digest [--no-slice] [--workers N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))  # KG_SHARED: to digest another checkout
MSRA = SHARED / "data" / "ner" / "msra" / "train.char.bmes"
SLICE_BYTES = 2_000_000
SENTENCES_PER_DOCUMENT = 40
EXPORT_FORMATS = {"graphml": "graph.graphml", "gexf": "graph.gexf", "jsonl": "graph.jsonl", "csv": "neo4j-import"}


def kg(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "kg", *args], check=True, stdout=subprocess.DEVNULL)


def msra_sentences(path: Path):
    """The sentences of a `char tag` file, in file order."""
    chars: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                if chars:
                    yield "".join(chars)
                    chars = []
                continue
            chars.append(line.split()[0] if line.split() else " ")
    if chars:
        yield "".join(chars)


def write_slice(folder: Path) -> int:
    """The first 2 MB (UTF-8) of MSRA train sentences as documents of 40 sentences; returns bytes written."""
    folder.mkdir(parents=True)
    total, document, number = 0, [], 0
    for sentence in msra_sentences(MSRA):
        size = len(sentence.encode("utf-8")) + 1
        if total + size > SLICE_BYTES:
            break
        document.append(sentence)
        total += size
        if len(document) == SENTENCES_PER_DOCUMENT:
            (folder / f"msra_{number:05d}.txt").write_text("\n".join(document) + "\n", encoding="utf-8")
            document, number = [], number + 1
    if document:
        (folder / f"msra_{number:05d}.txt").write_text("\n".join(document) + "\n", encoding="utf-8")
    return total


def sha256(path: Path, out: Path, inputs: Path) -> str:
    """The file's digest with the run's own folders (temporary, or the checkout's seeds/) named OUT and IN."""
    data = path.read_bytes()
    from kg.resources import seeds_dir  # `kg build`'s default input, wherever the installed kg finds it

    for folder, name in ((out, b"OUT"), (inputs, b"IN"), (seeds_dir(), b"IN")):
        data = data.replace(str(folder.resolve()).encode(), name).replace(str(folder).encode(), name)
    return hashlib.sha256(data).hexdigest()


def digest(name: str, inputs: str, work: Path, workers: int) -> list[str]:
    out = work / f"{name}-out"
    lines = []
    extracted = work / f"{name}-extract.jsonl"
    kg("extract", inputs, "-o", str(extracted), "-w", str(workers), "-q")
    lines.append(f"{name}\textract.jsonl\t{sha256(extracted, out, Path(inputs))}")
    # the seeds are `kg build`'s default input: build them as a user would, with no path
    kg("build", *([] if name == "seeds" else [inputs]), "-o", str(out), "--no-db", "-w", str(workers), "-q")
    for fmt, target in EXPORT_FORMATS.items():
        kg("export", "--out", str(out), "-f", fmt, "-o", str(out / target))
    files = [out / "extractions.jsonl", out / "graph.json", out / "graph.html"]
    files += [out / t for f, t in EXPORT_FORMATS.items() if f != "csv"]
    files += sorted((out / "neo4j-import").iterdir())
    for path in files:
        lines.append(f"{name}\t{path.relative_to(out)}\t{sha256(path, out, Path(inputs))}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-slice", action="store_true", help="the seeds only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the outputs into this (new) folder and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-digest-") as tmp:
        work = args.keep or Path(tmp)
        for line in digest("seeds", str(ROOT / "seeds"), work, args.workers):
            print(line, flush=True)
        if args.no_slice:
            return
        if not MSRA.is_file():
            print(f"slice skipped: {MSRA} is absent (../shared is needed for the 2 MB slice)", flush=True)
            return
        size = write_slice(work / "slice")
        print(f"# slice: {size} bytes of {MSRA.relative_to(SHARED.parent)}", flush=True)
        for line in digest("slice", str(work / "slice"), work, args.workers):
            print(line, flush=True)


if __name__ == "__main__":
    main()
