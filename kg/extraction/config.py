"""What an extractor is made of, said explicitly: one frozen, picklable, hashable object.

Settings every extraction reads are fields; a component's own settings (the statistical tagger's
model, the classifier's model, a plugin's options) are a block per component, validated by the
settings model the component declares (:mod:`kg.settings`), as a configuration file writes them::

    tagger = "statistical"
    min_confidence = 0.5

    [components.statistical]
    model = "my-ner.npz"

>>> ExtractorConfig().tagger
'statistical'
>>> make_config(tagger="nonsense")
Traceback (most recent call last):
...
kg.extraction.config.ConfigError: unknown tagger 'nonsense'; choose from: jieba, jieba-posseg, lac, none, statistical
>>> config = ExtractorConfig(components={"statistical": {"model": "my-ner.npz"}})
>>> config.settings_of("statistical").model, config.ner_model
(PosixPath('my-ner.npz'), PosixPath('my-ner.npz'))
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError, field_validator, model_validator

from kg.extraction.ner.taggers import DEFAULT_TAGGER
from kg.registry import RELATION_RULES, TAGGERS, UnknownComponentError, check_names

#: Longest document read in one piece (longer ones are read in chunks of at most this size).
DEFAULT_CHUNK_CHARS = 100_000
#: The settings the command line and the API have long named as fields: (component, setting) of each.
SHORTHANDS = {"ner_model": ("statistical", "model"), "relation_model": ("classifier", "model")}


def component(name: str) -> Any:
    """The registered tagger or relation component ``name`` (``UnknownComponentError`` if neither)."""
    for registry in (TAGGERS, RELATION_RULES):
        if name in registry.names():
            return registry.get(name)
    raise UnknownComponentError(f"unknown component {name!r}; choose from: "
                                f"{', '.join(sorted({*TAGGERS.names(), *RELATION_RULES.names()}))}")


class ExtractorConfig(BaseModel):
    """Everything the stages of extraction read. Equal configs build equal extractors, so a
    process builds each one once (see :class:`kg.extraction.extractor.Extractor`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The registered entity tagger that finds the names no dictionary or rule finds.
    tagger: str = DEFAULT_TAGGER
    #: Dictionary files (kg/data/entities.tsv format) read after the shipped one; their entries
    #: win over shipped entries with the same name.
    dictionaries: tuple[Path, ...] = ()
    #: Whether the shipped dictionary (kg/data/entities.tsv) is read at all.
    shipped_dictionary: bool = True
    #: Relation components to run (the rules and ``classifier``), by registered name, in their
    #: registered order; None: every one.
    relation_rules: tuple[str, ...] | None = None
    #: Relations less confident than this are left out (confidences are calibrated: ~ precision).
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    #: Documents longer than this many characters are read in chunks of at most this size, cut at
    #: sentence boundaries (see kg.io.chunks): memory is bounded by a chunk, time linear in the length.
    chunk_chars: int = Field(default=DEFAULT_CHUNK_CHARS, ge=10_000)
    #: The components' own settings, by name, each an instance of the component's settings model
    #: (sorted by name; blocks equal to the defaults left out, so equal settings are equal configs).
    components: tuple[tuple[str, SerializeAsAny[BaseModel]], ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, data: Any) -> Any:
        """``ner_model=`` and ``relation_model=`` (the API's and command line's names) as the
        ``model`` of the statistical tagger's and the classifier's blocks."""
        if not isinstance(data, Mapping) or not any(k in data for k in SHORTHANDS):
            return data
        data = dict(data)
        blocks = {name: dict(block) for name, block in _blocks(data.get("components", ())).items()}
        for field, (name, setting) in SHORTHANDS.items():
            value = data.pop(field, None)
            if value is not None:
                blocks.setdefault(name, {})[setting] = value
        data["components"] = blocks
        return data

    @field_validator("components", mode="before")
    @classmethod
    def _settings(cls, value: Any) -> tuple[tuple[str, BaseModel], ...]:
        """Each block read by its component's own settings model (one line if wrong)."""
        from kg.settings import settings_model

        out = []
        for name, block in sorted(_blocks(value).items()):
            model = settings_model(component(name))
            try:
                settings = block if isinstance(block, model) else model(**dict(block))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ValueError(f"[components.{name}] {where}: {first['msg']}") from None
            if settings != model():
                out.append((name, settings))
        return tuple(out)

    @field_validator("tagger")
    @classmethod
    def _known_tagger(cls, name: str) -> str:
        TAGGERS.get(name)
        return name

    @model_validator(mode="after")
    def _settings_of_the_chosen_tagger(self) -> ExtractorConfig:
        for name, _ in self.components:
            if name != self.tagger and name in TAGGERS.names():
                ways = [f"--{f.replace('_', '-')}" for f, (n, _) in SHORTHANDS.items() if n == name]
                raise ValueError(f"a setting of the tagger {name!r} ({', '.join([*ways, f'[components.{name}]'])}) "
                                 f"is given, but the tagger is {self.tagger!r}")
        return self

    @field_validator("relation_rules")
    @classmethod
    def _known_rules(cls, names: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if names is None else check_names(RELATION_RULES, names)

    def settings_of(self, name: str) -> Any:
        """The settings of the component ``name``: its block, or its settings model's defaults."""
        from kg.settings import settings_model

        found = dict(self.components).get(name)
        return found if found is not None else settings_model(component(name))()

    @property
    def ner_model(self) -> Path | None:
        """The statistical tagger's model file (None: the shipped kg/data/kg_ner.npz)."""
        return dict(self.components)["statistical"].model if "statistical" in dict(self.components) else None

    @property
    def relation_model(self) -> Path | None:
        """The classifier's model, which also holds the measured precision that calibrates the
        rules' confidences (None: the shipped kg/data/kg_relations.npz)."""
        return dict(self.components)["classifier"].model if "classifier" in dict(self.components) else None


def _blocks(value: Any) -> dict[str, Any]:
    """Component blocks given as a mapping or as (name, settings) pairs."""
    if isinstance(value, Mapping):
        return dict(value)
    return {name: settings for name, settings in value or ()}


class ConfigError(ValueError):
    """A configuration that cannot be built, in one line."""


def make_config(**values: object) -> ExtractorConfig:
    """An ``ExtractorConfig``, or ``ConfigError`` with the first problem in one line."""
    try:
        return ExtractorConfig(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, UnknownComponentError):
            raise ConfigError(str(cause)) from None
        where = ".".join(str(p) for p in first["loc"])
        if where == "components":  # the block's own message names it
            where = ""
        message = str(cause) if cause is not None else first["msg"]
        raise ConfigError(f"{where}: {message}" if where else message) from None


#: What a configuration file may hold besides the extractor's settings: the sinks ``kg build``
#: writes (``exports = ["graphml"]``) and their settings (``[sinks.graphml]``); other commands ignore them.
BUILD_KEYS = ("exports", "sinks")


def read_config_file(path: Path) -> dict[str, Any]:
    """The values of a configuration file (TOML: the fields of :class:`ExtractorConfig`, a
    ``[components.NAME]`` table per component, and :data:`BUILD_KEYS`), or ``ConfigError`` in one line."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a TOML file ({exc})") from None
    unknown = set(data) - set(ExtractorConfig.model_fields) - set(SHORTHANDS) - set(BUILD_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {sorted(unknown)[0]!r}; the settings are "
                          f"{', '.join([*ExtractorConfig.model_fields, *BUILD_KEYS])}")
    return data


def extraction_values(data: dict[str, Any]) -> dict[str, Any]:
    """The extractor's settings of a configuration file's values (without :data:`BUILD_KEYS`)."""
    return {k: v for k, v in data.items() if k not in BUILD_KEYS}


def with_settings(values: dict[str, Any], pairs: list[str]) -> dict[str, Any]:
    """``values`` with each ``KEY=VALUE`` of ``pairs`` set: a dotted key reaches into a block
    (``components.statistical.model=my.npz``); a value is read as TOML when it is one (``4``,
    ``0.5``, ``["partner"]``, ``true``), else as the text it is. ``ConfigError`` if malformed.

    >>> with_settings({"tagger": "jieba"}, ["min_confidence=0.5", "components.capitals.min_length=4"])
    {'tagger': 'jieba', 'min_confidence': 0.5, 'components': {'capitals': {'min_length': 4}}}
    """
    values = {k: dict(v) if isinstance(v, Mapping) else v for k, v in values.items()}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        parts = [p.strip().replace("-", "_") for p in key.split(".")]
        if not sep or not all(parts):
            raise ConfigError(f"--set takes KEY=VALUE (a dotted KEY for a block), not {pair!r}")
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text
        target = values
        for part in parts[:-1]:
            inner = target.get(part)
            target[part] = inner = {k: dict(v) if isinstance(v, Mapping) else v for k, v in inner.items()} \
                if isinstance(inner, Mapping) else {}
            target = inner
        target[parts[-1]] = value
    return values
