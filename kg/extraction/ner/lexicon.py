"""The word lists the recognisers share, as Python names for the lists of kg/data/lexicons.toml."""

from __future__ import annotations

from kg.extraction.lexicons import characters, union, words

STOP_WORDS = frozenset(words("organisations.stop_words"))
#: Every title that stands next to a person's name (科大讯飞董事长刘庆峰 / 刘庆峰董事长).
PERSON_TITLES = union("titles.chairman", "titles.founder", "titles.ceo", "titles.other")
BYLINE_PERSON = words("names.byline_person")
BYLINE_ORG = words("names.byline_org")
SURNAMES_1 = characters("names.surnames_single")
SURNAMES_2 = frozenset(words("names.surnames_compound"))
NAME_TRAILING_NON_NAME = characters("names.trailing_chars")
COMPANY_SUFFIXES = words("organisations.company_suffixes")
ORG_SUFFIXES = words("organisations.org_suffixes")
GENERIC_ORG_WORDS = frozenset(words("organisations.generic_names"))
