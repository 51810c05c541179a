"""jieba.posseg's tag table, read lazily from kg's compact copy (kg.extraction.postags): the same table as jieba's own
parse of dict.txt, not built when jieba.posseg is imported, and jieba's own tagging unchanged."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from kg.extraction import postags


def _run(code: str) -> object:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_shipped_table_is_jiebas_own() -> None:
    # jieba's own parse, in a process where kg is not imported
    ours = postags.load()
    theirs = _run("import json, jieba.posseg as p; print(json.dumps(p.dt.word_tag_tab, ensure_ascii=False))")
    assert ours == theirs
    assert postags.shipped_size() == postags._dict_txt().stat().st_size


def test_importing_posseg_builds_no_table_until_a_tag_is_read() -> None:
    state = _run("""
import json, kg, jieba.posseg as p
before = "word_tag_tab" in vars(p.dt)
tag = p.dt.word_tag_tab.get("董事长")
print(json.dumps([before, type(p.dt).__name__, tag, "word_tag_tab" in vars(p.dt)]))""")
    assert state == [False, "LazyTagsPOSTokenizer", "n", True]


def test_jiebas_tagging_is_the_same_with_kg_loaded() -> None:
    text = "科大讯飞董事长刘庆峰在合肥表示，华为昇腾910B芯片将用于训练讯飞星火。"
    code = "import json, jieba.posseg as p; print(json.dumps([list(x) for x in p.cut({!r})], ensure_ascii=False))"
    assert _run("import kg; " + code.format(text)) == _run(code.format(text))


def test_a_dictionary_of_ones_own_is_parsed_by_jieba_as_always(tmp_path) -> None:
    mine = tmp_path / "dict.txt"
    mine.write_text("星海科技 5 nt\n董事长 5 n\n", encoding="utf-8")
    state = _run(f"""
import json, jieba, kg
jieba.set_dictionary({str(mine)!r})
import jieba.posseg as p
print(json.dumps([type(p.dt).__name__, p.dt.word_tag_tab]))""")
    assert state == ["POSTokenizer", {"星海科技": "nt", "董事长": "n"}]


@given(st.dictionaries(st.text(st.characters(blacklist_characters="\n\0", blacklist_categories=("Cs",)),
                               min_size=1, max_size=6),
                       st.sampled_from(["n", "nr", "ns", "nt", "v", "x", "eng"]), max_size=50),
       st.integers(0, 10**9))
def test_the_compact_form_round_trips(table: dict[str, str], size: int) -> None:
    assert postags.decode(postags.encode(table, size)) == (size, table)
