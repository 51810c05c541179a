"""Run kg's extraction on Dask: JSON Lines shards in, one extraction shard out per input shard.

Extraction is a pure function of one document, so a corpus scales out by shards: every task takes
one input shard and writes one output shard (atomically, via ``kg.extraction.pipeline.write_extractions``), so
a failed or repeated task is harmless. The output shards, concatenated in shard order, are
byte-identical to ``kg extract`` run on the same folder.

    pip install 'kg[dask]'
    python -m bench.corpus --mb 10                  # or any folder of {"id", "text"} JSONL shards
    python examples/dask_extract.py bench/corpus/mb10-seed20250115 out/dask --workers 2

    # an existing cluster (dask-scheduler / dask-worker, Kubernetes, YARN ...): shared storage
    python examples/dask_extract.py /shared/news /shared/extractions --scheduler tcp://sched:8786

    # object storage through fsspec (s3://, gs://, abfs://): dask.bag reads and writes the text
    python examples/dask_extract.py 's3://news/2024/*.jsonl' s3://news-kg/2024 --bag

    # then merge the shards into a graph database, shard by shard (Neo4j cluster: a neo4j:// URI)
    python examples/dask_extract.py SHARDS OUT --load neo4j://neo4j.example:7687 --user neo4j --password …
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.extraction.extractor import Extractor


def extract_shard(shard: str, out_dir: str, extractor: Extractor) -> dict[str, Any]:
    """The unit of distributed work: one JSONL shard in, ``<stem>.extractions.jsonl`` out.

    ``extractor`` travels to the worker as its configuration; the worker builds the dictionary and
    tagger of that configuration once and reuses them for every later task."""
    from kg.extraction.pipeline import write_extractions

    out = Path(out_dir) / f"{Path(shard).stem}.extractions.jsonl"
    report = write_extractions([Path(shard)], out, workers=1, extractor=extractor)
    return {"shard": shard, "output": str(out), "documents": report.documents,
            "characters": report.characters, "entities": report.entities, "relations": report.relations,
            "problems": [str(p) for p in report.problems]}


def extract_line(line: str, extractor: Extractor) -> str | None:
    """One JSONL input line -> one extraction line (the ``--bag`` path); bad lines -> None."""
    from kg.extraction.pipeline import to_score_record
    from kg.models import Document

    try:
        record = json.loads(line)
        doc = Document(id=str(record.get("id", record.get("doc_id"))), text=record["text"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return json.dumps(to_score_record(extractor.extract(doc)), ensure_ascii=False)


def list_shards(source: str) -> list[str]:
    """A folder's *.jsonl files (sorted), or the files given."""
    path = Path(source)
    if path.is_dir():
        return [str(p) for p in sorted(path.glob("*.jsonl"))]
    return [source]


def run_shards(client: Any, shards: list[str], out_dir: Path, extractor: Extractor) -> list[dict[str, Any]]:
    from distributed import as_completed

    out_dir.mkdir(parents=True, exist_ok=True)
    futures = client.map(extract_shard, shards, out_dir=str(out_dir), extractor=extractor)
    results = []
    for future in as_completed(futures):
        r = future.result()
        results.append(r)
        print(f"  {Path(r['shard']).name}: {r['documents']:,} documents, {r['entities']:,} entities, "
              f"{r['relations']:,} relations" + (f", {len(r['problems'])} problems" if r["problems"] else ""))
    return sorted(results, key=lambda r: r["shard"])


def run_bag(source: str, out: str, extractor: Extractor) -> int:
    """dask.bag over text lines: works on any fsspec URL; returns the number of output files."""
    import dask.bag as db

    pattern = f"{source.rstrip('/')}/*.jsonl" if Path(source).is_dir() else source
    bag = db.read_text(pattern, blocksize=None).map(extract_line, extractor=extractor).filter(
        lambda x: x is not None)
    files = bag.to_textfiles(f"{out.rstrip('/')}/part-*.jsonl", encoding="utf-8")
    return len(files)


def load(out_dir: Path, uri: str | None, user: str | None, password: str | None) -> None:
    """Merge every output shard into the database, one shard at a time (memory stays per shard).

    Loading merges (MERGE on the entity name) and is additive, so shards can be loaded in any order
    and a repeated shard changes nothing. Without a URI the embedded server is used.
    """
    from kg.extraction.pipeline import read_extractions
    from kg.sinks.store.connect import open_store
    from kg.sinks.store.loader import load_extractions

    with open_store(uri, user, password, data_dir=out_dir / "db") as store:
        for shard in sorted(out_dir.glob("*.extractions.jsonl")):
            report = load_extractions(store, read_extractions(shard))
            print(f"  loaded {shard.name}: {report.entities:,} entity rows, {report.relations:,} relation rows")


def _client(args: argparse.Namespace) -> Any:
    from distributed import Client

    if args.scheduler:
        return Client(args.scheduler)
    # One single-threaded process per core: extraction is pure Python, so threads would share a GIL.
    # The client owns this cluster, so leaving the ``with`` block stops its worker processes too.
    return Client(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="a folder of *.jsonl shards, a shard, or (with --bag) a URL glob")
    parser.add_argument("out", help="folder (or, with --bag, URL) for the extraction shards")
    parser.add_argument("--workers", type=int, default=2, help="local cluster worker processes")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler (tcp://host:8786)")
    parser.add_argument("--bag", action="store_true", help="dask.bag read_text/to_textfiles (fsspec URLs)")
    parser.add_argument("--load", nargs="?", const="", metavar="URI",
                        help="then merge into a graph database (no URI: the embedded server)")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--ner", default=None, help="entity tagger (as kg extract --ner; default: kg's default)")
    args = parser.parse_args(argv)

    from kg.extraction.config import ExtractorConfig
    from kg.extraction.extractor import Extractor

    extractor = Extractor(ExtractorConfig(tagger=args.ner) if args.ner else None)
    start = time.perf_counter()
    with _client(args) as client:
        print(f"dask: {client}")
        if args.bag:
            n = run_bag(args.source, args.out, extractor)
            print(f"wrote {n} extraction files to {args.out} in {time.perf_counter() - start:.1f} s")
            return 0
        shards = list_shards(args.source)
        if not shards:
            print(f"no *.jsonl shards in {args.source}", file=sys.stderr)
            return 2
        results = run_shards(client, shards, Path(args.out), extractor)
    chars = sum(r["characters"] for r in results)
    seconds = time.perf_counter() - start
    print(f"extracted {sum(r['documents'] for r in results):,} documents ({chars:,} chars) from "
          f"{len(shards)} shards in {seconds:.1f} s: {chars / seconds:,.0f} chars/s")
    if args.load is not None:
        load(Path(args.out), args.load or None, args.user, args.password)
    return 1 if any(r["problems"] for r in results) else 0


def concatenated(out_dir: Path) -> Iterator[bytes]:
    """The output shards' bytes in shard order (equal to one ``kg extract`` over the folder)."""
    for shard in sorted(out_dir.glob("*.extractions.jsonl")):
        yield shard.read_bytes()


if __name__ == "__main__":
    sys.exit(main())
