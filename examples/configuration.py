"""One extractor, configured explicitly: the shipped dictionary plus one of your own, no tagger.

Run from a folder holding ``my-names.tsv`` (kg/data/entities.tsv format); tests/test_examples.py runs it.
"""

from pathlib import Path

from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.models import Document

extractor = Extractor(ExtractorConfig(tagger="none", dictionaries=(Path("my-names.tsv"),)))
extraction = extractor.extract(Document(id="a1", text="星海科技有限公司董事长王大可表示……"))
