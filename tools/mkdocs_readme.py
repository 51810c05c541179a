"""MkDocs hook: the site's home page is the README (one source), its links made the site's own.

The README links to ``docs/PAGE.md`` (readable on a forge); on the site those pages are
``PAGE.md``, and the files outside ``docs/`` (LICENSE, CHANGELOG.md) are pages or plain text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent


def readme_for_site(text: str) -> str:
    """The README's markdown with its links rewritten for a page at the site's root.

    >>> readme_for_site("[a](docs/cli.md#x) [b](CHANGELOG.md) [c](LICENSE) ![i](docs/graph.png)")
    '[a](cli.md#x) [b](changelog.md) c (the LICENSE file) ![i](graph.png)'
    """
    text = re.sub(r"\]\(docs/", "](", text)
    text = text.replace("](CHANGELOG.md)", "](changelog.md)")
    return re.sub(r"\[([^\]]+)\]\(LICENSE\)", r"\1 (the LICENSE file)", text)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if page.file.src_uri == "index.md":
        return readme_for_site((_ROOT / "README.md").read_text(encoding="utf-8"))
    return markdown
