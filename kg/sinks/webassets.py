"""The files a graph page is made of: our template, script and style (``kg/web``), and vis-network,
which pyvis ships (found without importing pyvis, which would import networkx and more); the
template environment; and the Content-Security-Policy hash of an inline script."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

WEB = Path(__file__).resolve().parent.parent / "web"
VIS_DIR = "lib/vis-9.1.2"


def _pyvis_templates() -> Path:
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pyvis is not installed (it ships vis-network): pip install pyvis")
    return Path(next(iter(spec.submodule_search_locations))).resolve() / "templates"


PYVIS_TEMPLATES = _pyvis_templates()


@lru_cache(maxsize=1)
def environment() -> Environment:
    # Our template first, pyvis's bundled vis-network files second (for the inline includes).
    env = Environment(loader=FileSystemLoader([str(WEB), str(PYVIS_TEMPLATES)]),
                      autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)
    # tojson = htmlsafe_json_dumps: escapes < > & ' as \u003c etc. UTF-8 instead of \uXXXX halves
    # the size of Chinese text.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False,
                                         "separators": (",", ":")}
    return env


@lru_cache(maxsize=1)
def scripts() -> tuple[str, str, str]:
    """(vis-network JS, vis-network CSS, our JS): read once per process."""
    vis_js = (PYVIS_TEMPLATES / VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    vis_css = (PYVIS_TEMPLATES / VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    page_js = (WEB / "graph.js").read_text(encoding="utf-8")
    return vis_js, vis_css, page_js


def style() -> str:
    return (WEB / "graph.css").read_text("utf-8")


def csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def csp(vis_js: str, page_js: str, connect: bool = False) -> str:
    """The page's Content-Security-Policy: only our two inline scripts run (by hash); nothing is loaded
    from anywhere (``connect``: the live page may ask its own server)."""
    return ("default-src 'none'; "
            f"script-src {csp_hash(vis_js)} {csp_hash(page_js)}; "
            "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; "
            "form-action 'none'" + ("; connect-src 'self'" if connect else ""))
