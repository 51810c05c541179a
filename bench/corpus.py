"""A reproducible benchmark corpus built from the sentences of seeds/.

Each generated document takes a window of consecutive sentences from one seed article and swaps
the seed's company, person and place names for stand-ins drawn (Zipf-like, so some recur often)
from the pools in ``bench.names``, consistently within the document. Traditional-script seeds get
their stand-ins converted to traditional script. A fixed random seed makes the output byte-for-byte
reproducible, and the stream is the same whatever the target size, so the 10 MB corpus is exactly
the first 10 MB of the 50 MB one.

Output: JSON Lines shards ``part-00000.jsonl`` ... of ``{"id", "text"}`` plus ``manifest.json``,
under ``bench/corpus/`` (git-ignored). Sizes are in MB = 10^6 bytes of UTF-8 document text.

    python -m bench.corpus --mb 50
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc

from bench.names import SEED_NAMES, company_pool, person_pool, place_pool
from kg.io.normalize import sentence_spans, to_simplified

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "seeds"
CORPUS_DIR = ROOT / "bench" / "corpus"
DEFAULT_SEED = 20250115
FORMAT = 1  # bump when the generator changes, so cached corpora are rebuilt
MB = 1_000_000
SHARD_MB = 2.0  # small enough that a 10 MB corpus already spreads over several Dask tasks

_CJK = re.compile(r"[\u4e00-\u9fff]")
_JUNK = re.compile(r"https?://|!\[|www\.|^\W*$")


@dataclass(frozen=True)
class SeedArticle:
    name: str
    sentences: tuple[str, ...]
    traditional: bool


def load_seeds(seeds_dir: Path = SEEDS_DIR) -> list[SeedArticle]:
    """The seed articles as lists of usable sentences (links, images and fragments dropped)."""
    articles = []
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences = tuple(
            s for s in (text[a:b] for a, b in sentence_spans(text))
            if len(_CJK.findall(s)) >= 6 and not _JUNK.search(s)
        )
        changed = sum(a != b for a, b in zip(text, to_simplified(text), strict=True))
        # More than 2% of characters change under t2s: the article is in traditional script.
        articles.append(SeedArticle(path.stem, sentences, changed > 0.02 * len(_CJK.findall(text))))
    if not articles:
        raise FileNotFoundError(f"no seed articles (*.txt) in {seeds_dir}")
    return articles


class _ZipfPool:
    """Draw names with probability ~ 1/rank: a few names are everywhere, most are rare."""

    def __init__(self, names: list[str], exponent: float = 0.9):
        self.names = names
        self.cum = list(itertools.accumulate(1.0 / (r + 1) ** exponent for r in range(len(names))))

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect(self.cum, rng.random() * self.cum[-1])]


_S2T = opencc.OpenCC("s2t")


@lru_cache(maxsize=65536)
def _traditional(name: str) -> str:
    return _S2T.convert(name)


class CorpusGenerator:
    """An endless, deterministic stream of ``{"id", "text"}`` documents."""

    def __init__(self, seed: int = DEFAULT_SEED, seeds_dir: Path = SEEDS_DIR):
        self.seed = seed
        self.articles = load_seeds(seeds_dir)
        rng = random.Random(seed)
        self.pools = {"Person": _ZipfPool(person_pool(rng)), "Company": _ZipfPool(company_pool(rng)),
                      "Place": _ZipfPool(place_pool(), exponent=0.6)}
        self.type_of = {name: kind for kind, names in SEED_NAMES.items() for name in names}
        # Longest first, so 中国移动 is replaced whole rather than matched as a shorter name.
        alternatives = sorted(self.type_of, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, alternatives)))

    def documents(self) -> Iterator[dict[str, str]]:
        rng = random.Random(self.seed + 1)
        for i in itertools.count():
            yield {"id": f"bench-{i:07d}", "text": self._document(rng)}

    def _document(self, rng: random.Random) -> str:
        article = rng.choice(self.articles)
        n = len(article.sentences)
        start, length = rng.randrange(n), rng.randint(12, 60)
        sentences = [article.sentences[(start + k) % n] for k in range(min(length, n))]
        mapping: dict[str, str] = {}

        def substitute(m: re.Match[str]) -> str:
            # One stand-in per seed name per document, keyed by its simplified form so 劉慶峰 and
            # 刘庆峰 in the same article stay the same person.
            seed_name = to_simplified(m.group())
            if seed_name not in mapping:
                mapping[seed_name] = self.pools[self.type_of[m.group()]].draw(rng)
            new = mapping[seed_name]
            return _traditional(new) if article.traditional else new

        paragraphs, k = [], 0
        while k < len(sentences):
            size = rng.randint(1, 4)
            paragraphs.append("".join(sentences[k:k + size]))
            k += size
        return self.pattern.sub(substitute, "\n".join(paragraphs))


def corpus_dir(mb: float, seed: int = DEFAULT_SEED) -> Path:
    return CORPUS_DIR / f"mb{mb:g}-seed{seed}"


def write_corpus(out: Path, mb: float, seed: int = DEFAULT_SEED, shard_mb: float = SHARD_MB) -> dict:
    """Write ``mb`` MB of documents as JSONL shards into ``out``; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.jsonl"):
        old.unlink()
    target, shard_target = int(mb * MB), int(shard_mb * MB)
    total_bytes = total_chars = docs = shard_bytes = 0
    shard_no, fh = 0, None
    try:
        for doc in CorpusGenerator(seed).documents():
            if total_bytes >= target:
                break
            if fh is None or shard_bytes >= shard_target:
                if fh:
                    fh.close()
                fh = (out / f"part-{shard_no:05d}.jsonl").open("w", encoding="utf-8")
                shard_no, shard_bytes = shard_no + 1, 0
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
            size = len(doc["text"].encode("utf-8"))
            total_bytes, shard_bytes = total_bytes + size, shard_bytes + size
            total_chars += len(doc["text"])
            docs += 1
    finally:
        if fh:
            fh.close()
    manifest = {"format": FORMAT, "seed": seed, "mb": mb, "documents": docs, "characters": total_chars,
                "text_bytes": total_bytes, "shards": shard_no, "shard_mb": shard_mb}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def ensure_corpus(mb: float, seed: int = DEFAULT_SEED) -> tuple[Path, dict]:
    """The corpus folder for (mb, seed), generated unless an identical one is already cached."""
    out = corpus_dir(mb, seed)
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        wanted = {"format": FORMAT, "seed": seed, "mb": mb, "shard_mb": SHARD_MB}
        if all(manifest.get(k) == v for k, v in wanted.items()):
            return out, manifest
    return out, write_corpus(out, mb, seed)


def sample_texts(chars: int, seed: int = DEFAULT_SEED) -> list[str]:
    """The first documents of the corpus stream, about ``chars`` characters in all (in memory)."""
    texts, total = [], 0
    for doc in CorpusGenerator(seed).documents():
        if total >= chars:
            break
        texts.append(doc["text"])
        total += len(doc["text"])
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size in MB of UTF-8 text")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--shard-mb", type=float, default=SHARD_MB, help="size of each JSONL shard")
    parser.add_argument("--out", type=Path, help="output folder (default: bench/corpus/mb<N>-seed<S>)")
    args = parser.parse_args()
    out = args.out or corpus_dir(args.mb, args.seed)
    manifest = write_corpus(out, args.mb, args.seed, args.shard_mb)
    print(f"wrote {manifest['documents']:,} documents, {manifest['characters']:,} characters "
          f"({manifest['text_bytes'] / MB:.1f} MB) in {manifest['shards']} shards to {out}")


if __name__ == "__main__":
    main()
