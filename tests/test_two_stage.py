"""The two-stage tagger: candidates, features, the choice among them, the model file, and the
shipped model on sentences of its own kinds (hand-made; none from the development data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kg.extraction.ner.statistical.crf import TagSet
from kg.extraction.ner.statistical.spans import (
    LABELS,
    Candidate,
    Proposals,
    SpanClassifier,
    Words,
    candidates,
    choose,
    features,
    hashed,
    name_key,
)
from kg.extraction.ner.statistical.two_stage import TwoStageTagger, is_two_stage
from kg.extraction.ner.taggers.statistical import load_model, shipped_model
from kg.modelfile import load_npz


@pytest.fixture(scope="module")
def shipped() -> TwoStageTagger:
    model = load_model(shipped_model())
    assert isinstance(model, TwoStageTagger)
    return model


def test_candidates_keep_every_source_that_proposed_them() -> None:
    text = "星海科技发布了天穹X1与天穹X2系列，Nova Pro也来了。"
    proposals = Proposals(crf=[[(0, 4, "Company"), (7, 18, "AIModel")], [(7, 11, "AIModel")]],
                          base=[(0, 4, "Company")], named=[(0, 4, "Company", "dict")])
    got = {text[c.start:c.end]: c.sources for c in candidates(text, proposals)}
    assert got["星海科技"] == {"crf0:Company", "base:Company", "dict:Company"}
    # the CRF's name cut at its coordination and without 系列: refined candidates
    assert got["天穹X1"] == {"crf1:AIModel", "refined:AIModel"} and got["天穹X2"] == {"refined:AIModel"}
    assert "latin" in got["Nova Pro"]


def test_features_read_edges_words_and_the_document() -> None:
    from kg.extraction.ner.statistical.features import Lexicon

    lexicon = Lexicon.build([("人工智能", "common"), ("发布", "common"), ("星海", "dom_company")])
    text = "星海发布了人工智能平台。星海又发布了。"
    cands = [Candidate(0, 2, {"crf0:Company"}), Candidate(5, 8, {"crf1:Product"}), Candidate(12, 14, {"base:Company"})]
    feats = features(text, cands, Words.of(text, lexicon), {"星海": ("Company",)})
    first, cut, second = feats
    assert {"known=Company", "cnt=2", "vote=Company", "lex=dom_company", "Rw=发布"} <= set(first)
    assert "cutR=4" in cut and "cutL=0" in cut  # 人工智|能: the candidate ends inside a common word
    assert "nocrf" in second and "vote=Company" in second  # the CRF named it elsewhere in the document


def test_the_choice_takes_the_best_without_overlap_and_one_type_per_name() -> None:
    text = "天穹X发布。天穹X很强。"
    cands = [Candidate(0, 3), Candidate(0, 2), Candidate(6, 9)]
    p = np.zeros((3, len(LABELS)))
    p[0, LABELS.index("AIModel")] = 0.9
    p[1, LABELS.index("Product")] = 0.95
    p[2, LABELS.index("Product")] = 0.6
    p[:, 0] = 1 - p.max(axis=1)
    chosen = choose(text, cands, p, threshold=0.5)
    # 天穹 (0.95) is chosen first and blocks 天穹X; the second 天穹X takes the type its mentions agree on
    assert [(text[s:e], t) for s, e, t, _ in chosen] == [("天穹", "Product"), ("天穹X", "Product")]


def test_a_base_model_name_stands_unless_the_classifier_is_sure_it_is_none() -> None:
    text = "王大可说。"
    cand = [Candidate(0, 3, {"base:Person"})]
    unsure = np.array([[0.7, 0.3] + [0.0] * (len(LABELS) - 2)])
    assert [t for *_, t, _ in choose(text, cand, unsure, 0.5)] == ["Person"]
    sure = np.array([[0.9, 0.1] + [0.0] * (len(LABELS) - 2)])
    assert choose(text, cand, sure, 0.5) == []


def test_hashing_is_crc32_so_stable_across_processes() -> None:
    import zlib

    assert hashed(["abc", "w=星海"], 16).tolist() == [zlib.crc32(b"abc") & 0xFFFF,
                                                    zlib.crc32("w=星海".encode()) & 0xFFFF]
    assert name_key("DeepSeek V3") == name_key("deepseek-v3")


def test_the_model_file_round_trips(tmp_path: Path, shipped: TwoStageTagger) -> None:
    meta, arrays = load_npz(shipped_model())
    assert is_two_stage(meta) and {"base", "news", "spans"} <= set(meta)
    base = TwoStageTagger.base_model_file(shipped_model(), tmp_path / "base.npz")
    base_meta, _ = load_npz(base)
    assert not is_two_stage(base_meta) and base_meta["types"] == ["Person", "Place", "Company", "Organization"]
    classifier = SpanClassifier.quantised(np.ones((1 << 4, len(LABELS))), np.zeros(len(LABELS)), 0.4)
    again = tmp_path / "again.npz"
    TwoStageTagger.save(again, {"news": load_npz(base)}, classifier, {"星海": ["Company"]}, (0.0, 2.0))
    loaded = TwoStageTagger.load(again)
    assert loaded.biases == (0.0, 2.0) and loaded.known_names == {"星海": ("Company",)}
    assert loaded.spans.threshold == 0.4 and loaded.base is None


def test_tag_sets_of_four_and_eight_types() -> None:
    assert TagSet(("Person", "Place", "Company", "Organization")).k == 17
    eight = TagSet(("Person", "Place", "Company", "Organization", "Chip", "AIModel", "Product", "Event"))
    trans, start, end = eight.allowed
    assert eight.k == 33 and trans[eight.tag("B", 5), eight.tag("E", 5)] and not trans[0, eight.tag("I", 0)]


@pytest.mark.parametrize(("text", "name", "etype"), [
    ("星海科技今天发布了新一代大模型天穹X2，性能超越GPT-4o。", "GPT-4o", "AIModel"),
    ("英伟达H20芯片的出货量下降。", "H20", "Chip"),
    ("腾讯董事会主席马化腾出席。", "马化腾", "Person"),
])
def test_the_shipped_model_reads_all_eight_types(shipped: TwoStageTagger, text: str, name: str, etype: str) -> None:
    found = {(text[s:e], t) for s, e, t in shipped.tag([text])[0]}
    assert (name, etype) in found, found


def test_a_name_the_model_keeps_is_called_what_the_naming_pattern_called_it() -> None:
    """星火 X1 is the tagger's span and 讯飞星火X1 the pattern's name for it (the family 星火 is the
    dictionary's 讯飞星火); a bare X1 of the same document then stands for it too: one entity."""
    import kg

    ex = kg.extract("科大讯飞今天发布了星火 X1。X1在数学推理上表现突出，星火 X1已开放使用。")
    models = [e for e in ex.entities if e.type.value == "AIModel"]
    assert [(e.name, sorted(e.aliases)) for e in models] == [("讯飞星火X1", ["X1", "星火 X1"])]
