"""Named, pluggable components: entity taggers, relation components and sinks.

A component is registered under a name, either where it is defined (the decorator) or, for the
built-in ones, by one line naming its module (``lazy``), so that listing the names (for
``--help``) imports nothing heavy and a component's module is imported only when it is used. The
registry imports the modules that hold the built-in components the first time it is asked, and
reads the entry points of installed plugin packages (groups ``kg.taggers``, ``kg.relations``,
``kg.sinks``: ``name = "package.module:attribute"``), so listing or looking up names always sees
all of them. Adding a tagger is one new module and one line in ``kg/extraction/ner/taggers/__init__.py``::

    TAGGERS.lazy("mytagger", "kg.extraction.ner.taggers.mytagger:factory", help="what it is good for")

where ``factory(config: ExtractorConfig) -> Recogniser``; or one entry point in a plugin's
pyproject.toml (docs/plugins.md, examples/kg-example-plugins)::

    [project.entry-points."kg.taggers"]
    mytagger = "my_package.mytagger:factory"

or, anywhere (tests)::

    @TAGGERS.register("mytagger", help="what it is good for")
    def factory(config): ...

A component may declare its own settings, a frozen pydantic model as its attribute ``Settings``
(:func:`kg.settings.settings_model`): what ``[components.NAME]`` of a configuration file holds.

>>> "jieba" in TAGGERS.names()
True
>>> TAGGERS.get("nonsense")
Traceback (most recent call last):
...
kg.registry.UnknownComponentError: unknown tagger 'nonsense'; choose from: jieba, jieba-posseg, lac, none, statistical
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from kg.extraction.ner.taggers.base import TaggerFactory
    from kg.extraction.relations.base import RelationComponent
    from kg.sinks.base import Sink

T = TypeVar("T")


class UnknownComponentError(ValueError):
    """A component name nobody registered; the message lists the known names."""


@dataclass
class Registered(Generic[T]):
    name: str
    component: T | None
    help: str
    order: float
    target: str = ""  # "module:attribute" of a lazily registered component
    plugin: str = ""  # the distribution of a plugin found through its entry point

    def load(self) -> T:
        if self.component is None:
            module, _, attribute = self.target.partition(":")
            self.component = getattr(importlib.import_module(module), attribute)
        return self.component  # type: ignore[return-value]


class Registry(Generic[T]):
    """Components of one kind by name. ``modules`` are imported on first use: they register the
    built-in components."""

    def __init__(self, kind: str, modules: tuple[str, ...] = (), group: str = "") -> None:
        self.kind = kind
        self.group = group  # the entry-point group of plugins
        self._modules = modules
        self._loaded = False
        self._items: dict[str, Registered[T]] = {}

    def register(self, name: str, help: str = "", order: float = math.inf) -> Callable[[T], T]:
        """Decorator: register the decorated object as ``name``. ``order`` sorts components that
        run in sequence (relation rules); equal orders keep registration order."""

        def add(component: T) -> T:
            known = self._items.get(name)
            if known is not None and known.load() is not component:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._items[name] = Registered(name, component, help, order)
            return component

        return add

    def lazy(self, name: str, target: str, help: str = "", order: float = math.inf) -> None:
        """Register ``name`` as the object at ``target`` ("package.module:attribute"), imported
        only when it is first used."""
        if name in self._items and self._items[name].target != target:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._items[name] = Registered(name, None, help, order, target)

    def unregister(self, name: str) -> None:
        """Forget ``name`` (a plugin unloaded at run time, or one a test registered)."""
        self._items.pop(name, None)

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in self._modules:
                importlib.import_module(module)
            for ep in entry_points(group=self.group) if self.group else ():
                # built-in names win: a plugin cannot replace a shipped component by accident
                if ep.name not in self._items:
                    dist = ep.dist.name if ep.dist is not None else ep.value
                    self._items[ep.name] = Registered(ep.name, None, "", math.inf, ep.value, plugin=dist)

    def entries(self) -> list[Registered[T]]:
        """Every registered component, in running order."""
        self._load()
        items = list(self._items.values())
        return sorted(items, key=lambda r: r.order)  # stable: ties keep registration order

    def names(self) -> list[str]:
        return [r.name for r in self.entries()]

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._items[name].load()
        except KeyError:
            raise UnknownComponentError(
                f"unknown {self.kind} {name!r}; choose from: {', '.join(sorted(self._items))}") from None

    def help_of(self, entry: Registered[T]) -> str:
        """What ``entry`` is good for: its registered help, or a plugin's ``help`` attribute (and
        which package it comes from); a plugin that cannot be loaded says so instead of failing."""
        if not entry.plugin:
            return entry.help
        try:
            text = entry.help or str(getattr(entry.load(), "help", ""))
        except Exception as exc:  # noqa: BLE001  (a broken plugin must not break --help)
            return f"plugin {entry.plugin}, cannot be loaded: {type(exc).__name__}: {exc}"
        return f"{text} (plugin {entry.plugin})" if text else f"plugin {entry.plugin}"

    def help_text(self) -> str:
        """``name: help`` of every component, for a command's ``--help``."""
        parts = []
        for r in sorted(self.entries(), key=lambda r: r.name):
            text = self.help_of(r)
            parts.append(f"{r.name}: {text}" if text else r.name)
        return "; ".join(parts)


def check_names(registry: Registry[Any], names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` unchanged if each is registered, else ``UnknownComponentError``."""
    for name in names:
        registry.get(name)
    return names


#: Entity taggers: what ``--ner NAME`` chooses. A factory ``(ExtractorConfig) -> Recogniser``
#: (:data:`kg.extraction.ner.taggers.base.TaggerFactory`).
TAGGERS: Registry[TaggerFactory] = Registry("tagger", modules=("kg.extraction.ner.taggers",), group="kg.taggers")
#: Relation components: ``(Sentence, Context) -> Iterator[Proposal]``, run in ``order``
#: (:class:`kg.extraction.relations.base.RelationComponent`).
RELATION_RULES: Registry[RelationComponent] = Registry("relation rule", modules=("kg.extraction.relations",),
                                                       group="kg.relations")
#: Sinks: what ``kg export --format NAME`` and ``kg build --export NAME`` write (:class:`kg.sinks.base.Sink`).
SINKS: Registry[Sink] = Registry("format", modules=("kg.sinks.formats",), group="kg.sinks")
