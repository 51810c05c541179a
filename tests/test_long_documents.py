"""Long documents: bounded sentences, chunked extraction, the positional index and the topic
company (exactly what the scans they replace computed), --max-chars, progress inside a document.

No timing here: that the work per chunk and per sentence is bounded is checked structurally."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg.cli import app
from kg.extraction import extractor as extract_module
from kg.extraction import pipeline
from kg.extraction.config import ExtractorConfig
from kg.extraction.dictionary import Dictionary
from kg.extraction.extractor import Extractor
from kg.extraction.ner.spans import MentionIndex
from kg.extraction.ner.textview import TextView
from kg.extraction.progress import DocumentProgress
from kg.extraction.relations.base import Context, Sentence, Span
from kg.io.chunks import chunk_spans
from kg.io.normalize import MAX_SENTENCE, normalize, sentence_spans
from kg.io.readers import ReadOptions, iter_documents
from kg.models import Document, Mention
from kg.schema import EntityType

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CHUNK = 10_000  # the smallest chunk size a configuration allows

# --- sentences -------------------------------------------------------------------------------------

_TEXT_CHARS = st.sampled_from(list("甲乙丙丁科大讯飞。！？；，、 \n\t”」)AB1"))
_TEXTS = st.text(_TEXT_CHARS, max_size=400)


@given(text=_TEXTS, max_len=st.integers(min_value=1, max_value=40))
@settings(max_examples=300, deadline=None)
def test_sentences_are_never_longer_than_the_maximum_and_cover_all_text(text: str, max_len: int) -> None:
    spans = list(sentence_spans(text, max_len=max_len))
    assert all(0 < e - s <= max_len for s, e in spans)
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))
    covered = {i for s, e in spans for i in range(s, e)}
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


@given(text=_TEXTS)
@settings(max_examples=200, deadline=None)
def test_sentences_within_the_maximum_are_split_as_before(text: str) -> None:
    unbounded = list(sentence_spans(text, max_len=10**9))
    if all(e - s <= 30 for s, e in unbounded):
        assert list(sentence_spans(text, max_len=30)) == unbounded


def test_an_over_long_sentence_is_cut_at_a_clause_break_else_at_the_limit() -> None:
    m = MAX_SENTENCE
    text = "甲" * (m * 7 // 10) + "，" + "乙" * (m * 7 // 10) + "丙" * (m * 5 // 2)
    pieces = [text[s:e] for s, e in sentence_spans(text)]
    assert pieces[0] == "甲" * (m * 7 // 10) + "，"
    assert [len(p) for p in pieces[1:]] == [m, m, m, m * 7 // 10 + m * 5 // 2 - 3 * m]


def test_text_without_punctuation_is_cut_into_pieces_the_tagger_reads_whole() -> None:
    """A run without punctuation or spaces is cut early into pieces no longer than the statistical
    tagger's own window, so the relation components pair the mentions of a few hundred characters,
    not of a thousand: memory and CPU per character stay those of normal text (1M such characters
    took 840 MB, now about 410 MB like normal text; bench/bench_unpunctuated.py)."""
    from kg.extraction.ner.statistical.tagger import MAX_LEN

    text = "科大讯飞董事长刘庆峰表示公司与华为合作" * 500
    spans = list(sentence_spans(text))
    assert max(e - s for s, e in spans) <= MAX_LEN
    assert "".join(text[s:e] for s, e in spans) == text


@pytest.mark.slow
def test_memory_on_text_without_punctuation_is_that_of_normal_text() -> None:
    """Peak memory growth of extracting 250k characters without punctuation or spaces, in a fresh
    process (bench/bench_unpunctuated.py): about 100 MB, as for normal text (it was 450 MB)."""
    from bench.bench_unpunctuated import run_one

    result = run_one(250_000, "bare")
    assert result["growth_mb"] < 200, result


@given(lengths=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=300),
       limit=st.integers(min_value=60, max_value=2000))
@settings(max_examples=200, deadline=None)
def test_chunks_hold_every_sentence_once_and_are_never_longer_than_the_limit(lengths: list[int], limit: int) -> None:
    sentences, pos = [], 0
    for n in lengths:
        sentences.append((pos, pos + n))
        pos += n + 1
    chunks = list(chunk_spans(sentences, pos, limit))
    assert [s for _, _, ss in chunks for s in ss] == sentences
    assert all(ss[0][0] == a and ss[-1][1] == b and b - a <= limit for a, b, ss in chunks)


# --- chunked extraction ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_text() -> str:
    """The seed articles, twice: about 39,000 characters, four chunks of at most 10,000."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return "\n".join(seeds * 2)


@pytest.fixture(scope="module")
def chunked() -> Extractor:
    return Extractor(ExtractorConfig(chunk_chars=CHUNK))


def _chunks(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b, _ in chunk_spans(sentence_spans(normalize(text)), len(text), CHUNK)]


def test_a_chunked_document_has_the_entities_of_its_parts(long_text: str, chunked: Extractor) -> None:
    whole = chunked.extract(Document(id="long", text=long_text))
    parts = _chunks(long_text)
    assert len(parts) >= 4
    counts: Counter[str] = Counter()
    for a, b in parts:
        for e in chunked.extract(Document(id="part", text=long_text[a:b])).entities:
            counts[e.name] += e.mentions
    assert {e.name: e.mentions for e in whole.entities} == dict(counts)
    assert len({e.name for e in whole.entities}) == len(whole.entities)


def test_a_chunked_document_keeps_offsets_into_the_original(long_text: str, chunked: Extractor) -> None:
    ex = chunked.extract(Document(id="long", text=long_text))
    assert ex.chars == len(long_text) and ex.relations and ex.mentions
    assert all(r.evidence == long_text[r.start:r.end] for r in ex.relations)
    assert all(m.text == long_text[m.start:m.end] for m in ex.mentions)
    names = {e.name for e in ex.entities}
    assert all(r.head in names and r.tail in names for r in ex.relations)
    assert max(m.start for m in ex.mentions) > len(long_text) * 3 // 4


def test_relations_of_a_later_chunk_are_those_of_its_text_at_its_offset(chunked: Extractor) -> None:
    article = (SEEDS / "004_600e7ef583e13cb6.txt").read_text(encoding="utf-8")
    padding = "今天天气很好。\n" * 3000  # no names: nothing is carried over to the article
    text = padding + article
    [(a, b)] = [(a, b) for a, b in _chunks(text) if a <= len(padding) + 1 and b >= len(text)]  # one chunk holds it
    alone = Extractor().extract(Document(id="d", text=article)).relations
    later = chunked.extract(Document(id="d", text=text)).relations
    assert alone and [r.shifted(-len(padding)) for r in later] == alone


def test_a_chunked_document_may_drop_its_mentions(long_text: str, chunked: Extractor) -> None:
    kept = chunked.extract(Document(id="long", text=long_text))
    dropped = chunked.extract(Document(id="long", text=long_text), keep_mentions=False)
    assert dropped.mentions == [] and dropped.entities == kept.entities and dropped.relations == kept.relations


def test_documents_up_to_the_chunk_size_are_read_whole(chunked: Extractor) -> None:
    text = (SEEDS / "000_26b5e33c79e3b1ac.txt").read_text(encoding="utf-8")
    assert len(text) <= CHUNK
    assert chunked.extract(Document(id="d", text=text)) == Extractor().extract(Document(id="d", text=text))


class _RecordingView(TextView):
    """A TextView that remembers the size of every view made (one per chunk)."""

    made: list[TextView] = []

    def __post_init__(self, *args: object) -> None:
        super().__post_init__(*args)
        _RecordingView.made.append(self)


@pytest.mark.parametrize("punctuated", [True, False])
def test_the_work_per_chunk_and_per_sentence_is_bounded(long_text: str, chunked: Extractor, punctuated: bool,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    text = long_text if punctuated else "".join(ch for ch in long_text if ch not in "。！？；!?;\n")
    monkeypatch.setattr(extract_module, "TextView", _RecordingView)
    _RecordingView.made = []
    progress: list[tuple[int, int]] = []
    chunked.extract(Document(id="long", text=text), on_progress=lambda done, total: progress.append((done, total)))
    views = _RecordingView.made
    assert len(views) == len(progress) >= 4
    assert all(len(v.original) <= CHUNK for v in views)
    assert all(e - s <= MAX_SENTENCE for v in views for s, e in v.sentences)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress) and progress[-1] == (len(text), len(text))


# --- exactly what the scans computed -------------------------------------------------------------------

_MENTIONS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)), max_size=25)


def _mentions(spans: list[tuple[int, int]]) -> list[Mention]:
    return [Mention(text="x", start=s, end=s + n, type=EntityType.COMPANY, canonical="x") for s, n in spans]


@given(spans=_MENTIONS, start=st.integers(0, 70), length=st.integers(0, 12))
@settings(max_examples=400, deadline=None)
def test_the_mention_index_answers_as_a_scan_would(spans: list[tuple[int, int]], start: int, length: int) -> None:
    known, end = _mentions(spans), start + length
    index = MentionIndex(known)
    assert index.any_overlapping(start, end) == any(k.start < end and start < k.end for k in known)
    assert index.any_containing(start, end) == any(k.start <= start and k.end >= end for k in known)
    assert index.any_reaching(start) == any(k.start < start <= k.end for k in known)


_COMPANIES = st.lists(st.lists(st.sampled_from(["甲", "乙", "丙", "丁", "戊"]), max_size=4), max_size=12)


@given(sentences=_COMPANIES)
@settings(max_examples=300, deadline=None)
def test_the_topic_company_is_the_one_counter_most_common_names(sentences: list[list[str]]) -> None:
    ctx, counts = Context(Dictionary([])), Counter()
    for names in sentences:
        sent = Sentence("", [Span(n, EntityType.COMPANY, 0, 1) for n in names])
        expected = Counter(counts)
        expected.update(names)
        assert ctx.topic_org(sent) == (expected.most_common(1)[0][0] if expected else None)
        assert ctx.topic_org() == (counts.most_common(1)[0][0] if counts else None)
        ctx.update(sent)
        counts.update(names)


# --- --max-chars -----------------------------------------------------------------------------------------

runner = CliRunner()


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_text("科大讯飞董事长刘庆峰说。", encoding="utf-8")
    (folder / "big.txt").write_text("华为" * 100, encoding="utf-8")
    (folder / "docs.jsonl").write_text(json.dumps({"id": "j1", "text": "华为与讯飞合作。"}, ensure_ascii=False) + "\n"
                                       + json.dumps({"id": "j2", "text": "讯飞" * 100}, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return folder


def test_a_document_over_max_chars_is_one_warning_and_the_others_are_extracted(tmp_path: Path) -> None:
    folder, out = _inputs(tmp_path / "in"), tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "--max-chars", "160", "-w", "1", "-q"])
    assert result.exit_code == 1
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert len(warnings) == 2 and "Traceback" not in result.output
    big, line = warnings
    assert "big.txt" in big and "200 characters" in big and "--max-chars 160" in big
    assert "docs.jsonl:2" in line and "200 characters" in line
    assert [json.loads(x)["doc_id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["a", "j1"]


def test_a_refused_document_leaves_earlier_output_intact(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("华为" * 100, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(tmp_path / "big.txt"), "-o", str(out), "--max-chars", "100", "-q"])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "earlier\n"
    assert [x.split(":")[0] for x in result.stderr.splitlines()] == ["warning", "error"]


def test_a_big_file_is_refused_from_its_size_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    path.write_text("华为" * 100, encoding="utf-8")  # 600 bytes: at least 150 characters
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    [problem] = list(iter_documents([path], ReadOptions(max_chars=100)))
    assert "at least 150 characters (600 bytes)" in problem.reason


def test_a_jsonl_line_too_long_for_any_document_is_skipped_unread(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    long_line = json.dumps({"id": "huge", "text": "x" * (1 << 21)})
    path.write_text(long_line + "\n" + json.dumps({"id": "next", "text": "华为"}) + "\n", encoding="utf-8")
    huge, nxt = list(iter_documents([path], ReadOptions(max_chars=10)))
    assert huge.where.endswith("docs.jsonl:1") and f"a record of {len(long_line) + 1:,} bytes" in huge.reason
    assert isinstance(nxt, Document) and nxt.id == "next"


# --- progress inside a long document ---------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_inside_a_long_document_comes_before_it_is_done(long_text: str, chunked: Extractor,
                                                                 workers: int) -> None:
    docs = [Document(id="short", text="华为与讯飞合作。", source="in:1"),
            Document(id="long", text=long_text, source="in:2")]
    events: list[DocumentProgress | str] = []
    for ex in pipeline.extract_stream(docs, chunked, workers=workers, on_progress=events.append):
        events.append(ex.doc_id)
    reports = [e for e in events if isinstance(e, DocumentProgress)]
    assert events.index("long") > max(events.index(r) for r in reports)
    assert {r.source for r in reports} == {"in:2"} and len(reports) >= 4
    assert reports[-1].done == reports[-1].total == len(long_text)


class _FakeProgress:
    def __init__(self) -> None:
        self.completed, self.texts = 0.0, []

    def update(self, task: object, advance: float, doc: str) -> None:
        self.completed += advance
        self.texts.append(doc)


def test_the_bar_moves_inside_a_long_document_and_counts_it_once_done() -> None:
    from kg.cli.progress import DocumentBar
    from kg.models import Extraction

    fake = _FakeProgress()
    bar = DocumentBar(fake, 0)  # type: ignore[arg-type]
    bar.on_chunk(DocumentProgress("big", "in.jsonl:2", 250_000, 1_000_000))
    assert fake.completed == pytest.approx(0.25) and "250,000/1,000,000" in fake.texts[-1]
    bar.on_chunk(DocumentProgress("big", "in.jsonl:2", 500_000, 1_000_000))
    bar.on_done(Extraction(doc_id="small", source="in.jsonl:1"))
    bar.on_done(Extraction(doc_id="big", source="in.jsonl:2"))
    assert fake.completed == pytest.approx(2.0)
