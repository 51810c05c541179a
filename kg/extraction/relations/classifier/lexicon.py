"""The trigger words the pair classifier reads, by group, and the text view its features read.

The groups come from the rules' word lists (``kg/data/lexicons.toml``) when a model is trained and
are stored in the model file, so a model always reads the words it was trained with: editing a list
changes nothing until ``kg train-relations`` runs again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

#: Code points above every character: trigger-group symbols of the abstracted text start here.
SYMBOL_BASE = 0x110100


def _translation() -> dict[int, int]:
    """Full-width to half-width, ASCII lower-case, every digit to 0 (one character for one)."""
    table = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = c + 32
        table[c + 0xFEE0] = c + 32
    for c in range(10):
        table[ord("0") + c] = ord("0")
        table[0xFF10 + c] = ord("0")
    return table


_TABLE = _translation()


def feature_text(text: str) -> str:
    """The text the features read: same length and offsets as ``text``.

    >>> feature_text("ＣＥＯ2024年")
    'ceo0000年'
    """
    return text.translate(_TABLE)


def trigger_groups() -> dict[str, list[str]]:
    """The word lists of the relation rules (and the person titles), by group, for training."""
    from kg.extraction.lexicons import words

    groups = {name.replace(".", "_").upper(): list(words(name)) for name in (
        "relations.launch_verbs", "relations.found_verbs", "relations.located", "relations.event_held",
        "relations.partner_preps", "relations.partner_verbs", "relations.use_verbs", "relations.bench_verbs",
        "relations.subsidiary_words", "relations.support_verbs", "relations.spin_off", "titles.chairman",
        "titles.founder", "titles.ceo", "titles.other")}
    groups.update(EXTRA_GROUPS)
    return groups


#: Cues no rule lists but the corpora use (holding a post, ownership, aliases, deals); the character
#: n-gram features see them too, a group lets the model share what it learns across its words.
EXTRA_GROUPS: dict[str, list[str]] = {
    "HOLDS": ["现任", "任", "担任", "出任", "是", "为", "作为", "身为", "兼任", "当选", "当选为", "升任", "接任"],
    "OWNER": ["大股东", "控股股东", "第一大股东", "母公司", "全资", "全资子公司", "控股子公司", "下属", "旗下", "持有",
              "实际控制人", "股东", "控股", "子公司", "隶属", "所属", "控制"],
    "ALIAS": ["简称", "下称", "以下简称", "又称", "原名", "更名为", "更名", "前身", "即", "也就是"],
    "DEAL": ["收购", "并购", "入股", "增持", "减持", "注资", "转让", "出售", "竞争", "对手", "诉讼", "起诉"],
}


class TriggerLexicon:
    """Trigger words by group, matched longest first and without overlaps.

    >>> lex = TriggerLexicon({"CHAIR": ["董事长"], "TITLE": ["董事长", "总裁"]})
    >>> [(s, e, groups) for s, e, _, groups in lex.find("董事长兼总裁")]
    [(0, 3, (0, 1)), (4, 6, (1,))]
    """

    def __init__(self, groups: Mapping[str, Sequence[str]]) -> None:
        self.groups = {g: sorted(set(ws)) for g, ws in sorted(groups.items())}
        group_ids = {g: i for i, g in enumerate(self.groups)}
        by_word: dict[str, tuple[int, ...]] = {}
        for g, group_words in self.groups.items():
            for w in group_words:
                w = feature_text(w)
                by_word[w] = tuple(sorted(set(by_word.get(w, ())) | {group_ids[g]}))
        combos = {c: i for i, c in enumerate(sorted(set(by_word.values())))}
        #: word -> (the symbol of its combination of groups, its group ids)
        self.words = {w: (SYMBOL_BASE + combos[c], c) for w, c in by_word.items()}
        self.regex = re.compile(trie_pattern(sorted(by_word))) if by_word else None

    def find(self, text: str) -> list[tuple[int, int, int, tuple[int, ...]]]:
        """(start, end, symbol, group ids) of each hit in ``text`` (a :func:`feature_text`)."""
        if self.regex is None:
            return []
        words = self.words
        return [(m.start(), m.end(), *words[m.group()]) for m in self.regex.finditer(text)]


def trie_pattern(words: Sequence[str]) -> str:
    """One regex for ``words`` shaped as a trie (董事(?:长|局主席)), longest match first: the same
    hits as a longest-first alternation, and much faster for hundreds of words.

    >>> trie_pattern(["董事长", "董事局主席", "董事"])
    '董事(?:局主席|长)?'
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if len(branches) == 1:
            body = f"(?:{branches[0]})" if ends else branches[0]
        else:
            body = "(?:" + "|".join(branches) + ")"
        return body + ("?" if ends else "")

    return emit(trie)
