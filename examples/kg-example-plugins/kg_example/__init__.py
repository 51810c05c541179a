"""Example plugins for kg: a tagger (``capitals``), a relation component (``subsidiaries``) and a sink
(``names``), each one module here and one entry point in pyproject.toml (see docs/plugins.md)."""
