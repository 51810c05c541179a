"""The built-in entity taggers (``--ner NAME``), one module each, registered here by name so that
listing them (``kg extract --help``) imports none of them; a tagger's module is imported when it is
first used. A new tagger is a new module here plus its line below (see kg/registry.py)."""

from kg.registry import TAGGERS

#: The tagger used when none is chosen.
DEFAULT_TAGGER = "statistical"

TAGGERS.lazy("statistical", "kg.extraction.ner.taggers.statistical:statistical_tagger",
             help="kg's trained tagger (linear CRF + BiLSTM-CRF) on every sentence (--ner-model for your own)")
TAGGERS.lazy("jieba", "kg.extraction.ner.taggers.jieba_tags:jieba_tagger",
             help="jieba's segmenter HMM and tag look-up, around person cues only (fast)")
TAGGERS.lazy("jieba-posseg", "kg.extraction.ner.taggers.jieba_tags:jieba_posseg_tagger",
             help="jieba.posseg with its HMM, around person cues only (slower, same accuracy)")
TAGGERS.lazy("lac", "kg.extraction.ner.taggers.lac:lac_tagger",
             help="Baidu LAC (pip install 'kg[lac]'), around person cues only")
TAGGERS.lazy("none", "kg.extraction.ner.taggers.none:no_tagger",
             help="no tagger: the dictionary, patterns and title/suffix rules only (fastest)")
