"""The extraction pipeline: parallel output identical to serial, lazy streaming, problems skipped."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.extraction import pipeline
from kg.extraction.extractor import Extractor
from kg.io.normalize import sentence_spans
from kg.io.readers import InputProblem, iter_documents
from kg.models import Document, Extraction

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed articles, plus each of their sentences as a JSONL document (a few hundred docs)."""
    root = tmp_path_factory.mktemp("corpus")
    lines = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        (root / path.name).write_text(text, encoding="utf-8")
        lines += [json.dumps({"id": f"{path.stem}-{i}", "text": text[a:b]}, ensure_ascii=False)
                  for i, (a, b) in enumerate(sentence_spans(text))]
    (root / "sentences.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _docs(n: int, prefix: str = "d") -> list[Document]:
    return [Document(id=f"{prefix}{i}", text=f"科大讯飞董事长刘庆峰在合肥表示。第{i}篇。") for i in range(n)]


def test_two_workers_write_the_same_bytes_as_one(corpus: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    r1 = pipeline.write_extractions([corpus], one, workers=1)
    r2 = pipeline.write_extractions([corpus], two, workers=2)
    assert r1.documents == r2.documents > 100
    assert (r1.characters, r1.entities, r1.relations) == (r2.characters, r2.entities, r2.relations)
    assert one.read_bytes() == two.read_bytes()


def test_pool_keeps_input_order_across_many_small_batches(corpus: Path) -> None:
    serial = [ex.doc_id for ex in pipeline.extract_stream(iter_documents([corpus]), workers=1)]
    pooled = [ex.doc_id for ex in pipeline.extract_stream(iter_documents([corpus]), workers=2,
                                                           batch_size=3, batch_chars=200)]
    assert pooled == serial


def test_written_records_read_back(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    report = pipeline.write_extractions([corpus / "sentences.jsonl"], out, workers=1)
    back = list(pipeline.read_extractions(out))
    assert len(back) == report.documents
    assert all(isinstance(ex, Extraction) for ex in back)
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0]) == pipeline.to_score_record(back[0])


class _Counting:
    """An iterator of documents that records how far it has been consumed."""

    def __init__(self, docs: list[Document]):
        self.docs = docs
        self.taken = 0

    def __iter__(self) -> Iterator[Document]:
        for doc in self.docs:
            self.taken += 1
            yield doc


def test_serial_stream_reads_one_batch_ahead_at_most() -> None:
    source = _Counting(_docs(1000))
    stream = pipeline.extract_stream(iter(source), workers=1, batch_size=4)
    assert next(stream).doc_id == "d0"
    # The tagger reads a batch of documents together; never more than that batch.
    assert source.taken == 4


def test_pooled_stream_reads_only_a_bounded_window_ahead() -> None:
    source = _Counting(_docs(1000))
    stream = pipeline.extract_stream(iter(source), workers=2, batch_size=2)
    assert next(stream).doc_id == "d0"
    # A window of batches per worker, plus the batch being assembled; never the whole input.
    assert source.taken <= 2 * pipeline.WINDOW_PER_WORKER * 2 + 2
    stream.close()
    assert multiprocessing.active_children() == []


def test_input_problems_are_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("科大讯飞董事长刘庆峰说。", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "lines.jsonl").write_text('{"id": "a", "text": "华为"}\n{oops\n{"id": "b", "text": "讯飞"}\n',
                                          encoding="utf-8")
    seen: list[InputProblem] = []
    for workers in (1, 2):
        seen.clear()
        out = tmp_path / f"out{workers}.jsonl"
        report = pipeline.write_extractions([tmp_path, tmp_path / "missing.txt"], out, workers=workers,
                                            on_problem=seen.append)
        ids = [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()]
        assert ids == ["good", "a", "b"]
        assert report.documents == 3
        assert report.problems == seen
        reasons = " | ".join(str(p) for p in seen)
        assert "binary" in reasons and "malformed JSON" in reasons and "no such file" in reasons


class _FailsOnBoom(Extractor):
    """An extractor with a bug that shows on one document."""

    def extract(self, doc: Document) -> Extraction:
        if doc.id == "boom":
            raise ValueError("cannot parse this one")
        return Extraction(doc_id=doc.id, source=doc.source, chars=len(doc.text))


@pytest.mark.parametrize("workers", [1, 2])
def test_an_extractor_crash_skips_only_that_document(workers: int) -> None:
    docs = [*_docs(3), Document(id="boom", text="x", source="in.jsonl:4"), *_docs(3, prefix="e")]
    problems: list[InputProblem] = []
    out = [ex.doc_id for ex in pipeline.extract_stream(docs, _FailsOnBoom(), workers=workers,
                                                       on_problem=problems.append)]
    assert out == ["d0", "d1", "d2", "e0", "e1", "e2"]
    assert len(problems) == 1
    assert problems[0].where == "in.jsonl:4"
    assert "extractor failed: ValueError: cannot parse this one" in problems[0].reason


class _Stop(BaseException):
    """Stands in for Ctrl-C."""


class _InterruptedLater(Extractor):
    """Ctrl-C arrives while the 50th document is being extracted."""

    calls = 0

    def extract(self, doc: Document) -> Extraction:
        self.calls += 1
        if self.calls == 50:
            raise _Stop
        return Extraction(doc_id=doc.id)


def test_an_interrupted_run_leaves_the_previous_output_intact(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    with pytest.raises(_Stop):
        pipeline.write_extractions([corpus], out, workers=1, extractor=_InterruptedLater())
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.jsonl"]


def test_default_workers_is_at_least_one() -> None:
    assert pipeline.default_workers() >= 1


@pytest.mark.slow  # starts a Dask cluster
def test_dask_example_matches_kg_extract(corpus: Path, tmp_path: Path) -> None:
    """examples/dask_extract.py on a local cluster writes, shard by shard, what the pipeline writes."""
    pytest.importorskip("distributed")
    import importlib.util

    spec = importlib.util.spec_from_file_location("dask_extract", SEEDS.parent / "examples" / "dask_extract.py")
    assert spec and spec.loader
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    shards = tmp_path / "shards"
    shards.mkdir()
    lines = (corpus / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    for i in range(3):
        (shards / f"part-{i}.jsonl").write_text("\n".join(lines[i::3]) + "\n", encoding="utf-8")
    assert example.main([str(shards), str(tmp_path / "out"), "--workers", "2"]) == 0
    pipeline.write_extractions([shards], tmp_path / "one.jsonl", workers=1)
    assert b"".join(example.concatenated(tmp_path / "out")) == (tmp_path / "one.jsonl").read_bytes()


@pytest.mark.parametrize("workers", [1, 2])
def test_mentions_kept_by_default_dropped_when_writing(corpus: Path, tmp_path: Path, workers: int) -> None:
    docs = list(iter_documents([corpus / "sentences.jsonl"]))[:40]
    streamed = list(pipeline.extract_stream(docs, workers=workers))
    with_mentions = [ex for ex in streamed if ex.mentions]
    assert with_mentions, "the seed sentences name entities"
    done: list[Extraction] = []
    pipeline.write_extractions([corpus / "sentences.jsonl"], tmp_path / "x.jsonl", workers=workers,
                               on_done=done.append)
    assert done and all(ex.mentions == [] for ex in done)
