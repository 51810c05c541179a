"""A component's own settings: a frozen pydantic model it declares as its attribute ``Settings``
(a tagger factory, a relation component, a sink). ``[components.NAME]`` of a configuration file
(``kg build --config kg.toml``) is read into it; a component without one takes no settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class NoSettings(BaseModel):
    """The settings of a component that has none: a block for it may hold nothing."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def settings_model(component: object) -> type[BaseModel]:
    """The settings model ``component`` declares (its ``Settings``), or :class:`NoSettings`."""
    found = getattr(component, "Settings", None)
    return found if isinstance(found, type) and issubclass(found, BaseModel) else NoSettings
