"""Working papers: each executed stage notebook exported to HTML without its code.

nbconvert's ``lab`` template links require.js and MathJax from a CDN; both are switched
off here, and any ``http(s)://`` or protocol-relative URL left in a ``src``, ``href`` or
CSS ``url()`` (a link in a Markdown cell, an image a library pointed at the web) is
neutralised, so the working papers open offline and leak nothing. One exporter instance
is reused (warm, an export takes ≈ 0.2 s).

>>> export_notebook_html("out/notebooks/02_cost_to_serve.ipynb",
...                      "out/notebooks/02_cost_to_serve.html")        # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from pathlib import Path

from ..workspace import write_text_atomic

_LOCK = threading.Lock()
_EXPORTER = None

# an attribute whose value is an external URL: src="https://…", href='//cdn…', srcset, action, …
_ATTR_URL = re.compile(
    r"""(?P<attr>\b(?:src|href|srcset|action|poster|data|xlink:href)\s*=\s*)(?P<q>["']?)(?P<url>(?:https?:)?//[^"'\s>]*)(?P=q)""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"""url\(\s*(["']?)(?:https?:)?//[^)"']*\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?(?:https?:)?//[^;]*;""", re.IGNORECASE)
_EMPTY_SCRIPT = re.compile(r"""<script\s+src=(["'])\1\s*>\s*</script>""", re.IGNORECASE)
_JS_IMPORT = re.compile(r"""\bimport\(\s*(["'])(?:https?:)?//[^"']*\1\s*\)""", re.IGNORECASE)


def _exporter():
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(template_name="lab")
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        exporter.mathjax_url = ""
        exporter.require_js_url = ""
        exporter.mermaid_js_url = ""  # loaded only for diagrams; offline they stay as text
        exporter.mermaid_layout_elk_js_url = ""
        _EXPORTER = exporter
    return _EXPORTER


def external_urls(html: str) -> list[str]:
    """External URLs a browser would fetch or follow from ``html`` (should be none)."""
    found = [m.group("url") for m in _ATTR_URL.finditer(html)]
    found += [m.group(0) for m in _CSS_URL.finditer(html)]
    found += [m.group(0) for m in _CSS_IMPORT.finditer(html)]
    found += [m.group(0) for m in _JS_IMPORT.finditer(html)]
    return found


def neutralise_external(html: str) -> tuple[str, int]:
    """Replace external URLs in attributes and CSS; returns the HTML and how many went."""
    count = 0

    def attr(m: re.Match) -> str:
        nonlocal count
        count += 1
        q = m.group("q") or '"'
        name = m.group("attr").split("=")[0].strip().lower()
        value = "#" if name in ("href", "xlink:href", "action") else "data:,"
        return f"{m.group('attr')}{q}{value}{q}"

    def css(m: re.Match) -> str:
        nonlocal count
        count += 1
        return "url(data:,)"

    def imp(m: re.Match) -> str:
        nonlocal count
        count += 1
        return ""

    def js(m: re.Match) -> str:
        nonlocal count
        count += 1
        return 'import("data:text/javascript,")'

    html = _ATTR_URL.sub(attr, html)
    html = _JS_IMPORT.sub(js, html)
    html = _CSS_IMPORT.sub(imp, html)
    html = _CSS_URL.sub(css, html)
    return html, count


def notebook_to_html(ipynb_path: str | Path) -> str:
    """The executed notebook as self-contained HTML without code cells."""
    import nbformat

    ipynb_path = Path(ipynb_path)
    nb = nbformat.read(ipynb_path, as_version=4)
    with _LOCK:  # one exporter instance, not thread-safe
        body, _ = _exporter().from_notebook_node(
            nb, resources={"metadata": {"name": ipynb_path.stem}}
        )
    body, _ = neutralise_external(body)
    # the switched-off require.js and MathJax leave <script src=""> behind: drop them
    return _EMPTY_SCRIPT.sub("", body)


def export_notebook_html(ipynb_path: str | Path, html_path: str | Path) -> Path:
    """Export one executed notebook to HTML (no code, no external URL), atomically."""
    path = write_text_atomic(html_path, notebook_to_html(ipynb_path))
    with contextlib.suppress(OSError):
        os.chmod(path, 0o644)  # a working paper is meant to be shared (temp files are 0600)
    return path


def export_working_papers(notebooks_dir: str | Path) -> list[Path]:
    """Export every ``*.ipynb`` in a folder beside itself (``x.ipynb`` -> ``x.html``)."""
    out = []
    for nb in sorted(Path(notebooks_dir).glob("*.ipynb")):
        out.append(export_notebook_html(nb, nb.with_suffix(".html")))
    return out


SETTINGS_PAPER = "00_settings.html"
"""The working paper that lists every setting in force (not a client deliverable)."""


def write_settings_paper(ctx, folder: str | Path) -> Path:
    """Every setting in force, its value and its source, as a working paper in ``folder``.

    The consultant's record, not the client's: the client's report says in words which
    assumptions drive its figures. Every value is escaped.
    """
    import html

    from .workbook import assumptions_sheet

    sheet = assumptions_sheet(ctx)
    df = sheet.df
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    title = html.escape(f"{sheet.title} · {ctx.engagement.client}")
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{title}</title><style>body{{font-family:sans-serif;font-size:10pt}}"
        "td,th{border-bottom:1px solid #ccc;padding:2px 6px;text-align:start}</style></head>"
        f"<body><h1>{title}</h1><p>{html.escape(sheet.note)}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>\n"
    )
    return write_text_atomic(Path(folder) / SETTINGS_PAPER, page)
