"""HTML pages: the visible text (what a reader sees, one block per line) and the head metadata.

Navigation, headers, footers, asides, forms, scripts and hidden elements are dropped here, so
the source text evidence points into is already free of most page chrome. A ``<header>`` or
``<footer>`` inside ``<article>``/``<main>`` is kept: there it holds the headline and date.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from ..errors import DocumentError
from . import Limits, Loaded
from .text import decode

_DROP = {"script", "style", "noscript", "template", "iframe", "nav", "aside", "form", "head"}
_DROP |= {"svg", "button", "select", "object", "canvas", "dialog", "menu"}
# Not "embed": libxml2 does not know it is a void element and nests what follows inside it, so
# dropping it would drop the rest of the page; its own content is nothing.
_PAGE_LEVEL = {"header", "footer"}  # dropped unless inside an article or main
# Blocks that make a paragraph (blank line after) and blocks that only end a line.
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol"}
_PARAGRAPH |= {"dl", "section", "article", "main", "figure", "address", "hr", "header", "footer"}
_LINE = {"div", "li", "tr", "br", "dt", "dd", "caption", "figcaption", "body", "details"}
_CELL = {"td", "th"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
NO_TEXT = "HTML page has no visible text; save the article text as .txt instead"
_ONLY_ACTIVE = " (it holds only scripts or frames, which are never run)"
_ACTIVE = ("script", "iframe", "frame", "frameset", "object", "embed", "applet")
_FEW_CHARS = 500  # less visible text than this beside scripts: maybe a page drawn by JavaScript


def load(path: Path, data: bytes, limits: Limits) -> Loaded:
    """Read an .html/.htm file (its bytes are ``data``): visible text plus <head> metadata."""
    notes: list[tuple[str, str]] = []
    raw = _to_str(data, str(path), notes)
    raw = re.sub(r"^\s*<\?xml[^>]*\?>", "", raw)  # lxml refuses str input with an encoding decl
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(raw, parser=parser)
    except (etree.LxmlError, ValueError) as exc:
        raise DocumentError(str(path), f"not readable as HTML ({exc}); re-save the page") from exc
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        # libxml2 stops reading at 256 levels and would silently drop the rest of the page.
        raise DocumentError(str(path), _too_deep("more than 255", limits.max_html_depth))
    text = visible_text(root, max_depth=limits.max_html_depth, path=str(path))
    active = sum(1 for el in root.iter(*_ACTIVE))
    if not text.strip():
        raise DocumentError(str(path), NO_TEXT + (_ONLY_ACTIVE if active else ""))
    if active and len(text.strip()) < _FEW_CHARS:
        notes.append(("warning", _mostly_active(active, len(text.strip()))))
    return Loaded(text=text, **_head(root), notes=tuple(notes))


def _too_deep(depth: str, limit: int) -> str:
    return (
        f"HTML nested {depth} levels deep (limit {limit}); "
        "save the article text as .txt, or raise --max-html-depth (at most 255)"
    )


def _mostly_active(active: int, chars: int) -> str:
    return (
        f"page is mostly scripts and frames ({active} dropped, never run) around {chars} "
        "characters of text; if a script draws the article, save the rendered text as .txt"
    )


def _to_str(data: bytes, path: str, notes: list[tuple[str, str]]) -> str:
    """Decode by the page's <meta charset> unless it has a BOM, else as the text loader does."""
    declared = _CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, path, notes)


def visible_text(
    root: lxml.html.HtmlElement, *, max_depth: int = Limits.max_html_depth, path: str = ""
) -> str:
    """Text a reader sees: block elements end lines, inline runs collapse their white space.

    DocumentError (naming ``path``) if elements nest deeper than ``max_depth``.
    """
    out: list[str] = []
    _walk(root, out, max_depth, path)
    lines = [line.strip() for line in "".join(out).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n") + "\n"


def _walk(root: etree._Element, out: list[str], max_depth: int, path: str) -> None:
    """Depth first, with an explicit stack: a page nested thousands deep must not recurse.

    The stack holds elements still to visit and strings (what closes an element, its tail) to
    write once its children are done.
    """
    stack: list[tuple[etree._Element, bool, bool, int] | str] = [(root, False, False, 0)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        el, in_pre, in_article, depth = item
        if depth > max_depth:
            raise DocumentError(path, _too_deep(f"{depth}+", max_depth))
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        hidden = el.get("hidden") is not None or el.get("aria-hidden") == "true"
        style = (el.get("style") or "").replace(" ", "").lower()
        skip = (
            not tag  # comments and processing instructions: only their tail is text
            or tag in _DROP
            or (tag in _PAGE_LEVEL and not in_article)
            or hidden
            or "display:none" in style
        )
        if skip:
            out.append(_inline(el.tail or "", in_pre))
            continue
        in_pre = in_pre or tag == "pre"
        in_article = in_article or tag in ("article", "main")
        if tag in _PARAGRAPH or tag in _LINE:
            out.append("\n")
        out.append(_inline(el.text or "", in_pre))
        close = "\n\n" if tag in _PARAGRAPH else "\n" if tag in _LINE else ""
        stack.append(close + (" " if tag in _CELL else "") + _inline(el.tail or "", in_pre))
        stack.extend((child, in_pre, in_article, depth + 1) for child in reversed(el))


def _inline(s: str, in_pre: bool) -> str:
    return s if in_pre else re.sub(r"\s+", " ", s)


def _head(root: lxml.html.HtmlElement) -> dict[str, str]:
    def meta(*keys: str) -> str:
        for key in keys:
            for attr in ("name", "property", "itemprop"):
                found = root.xpath(f"//meta[@{attr}=$k]/@content", k=key)
                if found and found[0].strip():
                    return str(found[0]).strip()
        return ""

    site = meta("og:site_name", "publisher", "dc.publisher", "DC.publisher")
    title = " ".join("".join(root.xpath("//title//text()")).split()) or meta("og:title")
    if site:  # "Headline | Site name": the site is the publisher, not part of the title
        title = re.sub(rf"\s+[|–—:-]\s+{re.escape(site)}$", "", title) or title
    times = root.xpath("//article//time/@datetime") or root.xpath("//time/@datetime")
    canonical = root.xpath("//link[@rel='canonical']/@href")
    lang = (
        root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    ).strip()
    return {
        "title": title,
        "author": meta("author", "article:author", "dc.creator", "DC.creator"),
        "publisher": site,
        "published": meta("date", "article:published_time", "dc.date", "DC.date", "dcterms.date")
        or (str(times[0]).strip() if times else ""),
        "url": (str(canonical[0]).strip() if canonical else "") or meta("og:url"),
        "language": lang.split("-")[0].lower(),
    }
