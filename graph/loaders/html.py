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
from . import Loaded, read_bytes
from .text import decode

_DROP = {"script", "style", "noscript", "template", "iframe", "nav", "aside", "form", "head"}
_DROP |= {"svg", "button", "select", "object", "embed", "canvas", "dialog", "menu"}
_PAGE_LEVEL = {"header", "footer"}  # dropped unless inside an article or main
# Blocks that make a paragraph (blank line after) and blocks that only end a line.
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol"}
_PARAGRAPH |= {"dl", "section", "article", "main", "figure", "address", "hr", "header", "footer"}
_LINE = {"div", "li", "tr", "br", "dt", "dd", "caption", "figcaption", "body", "details"}
_CELL = {"td", "th"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
NO_TEXT = "HTML page has no visible text; save the article text as .txt instead"


def load(path: Path) -> Loaded:
    """Read an .html/.htm file: visible text plus <head> metadata."""
    raw = _to_str(read_bytes(path), str(path))
    raw = re.sub(r"^\s*<\?xml[^>]*\?>", "", raw)  # lxml refuses str input with an encoding decl
    try:
        root = lxml.html.document_fromstring(raw)
    except (etree.ParserError, ValueError) as exc:
        raise DocumentError(str(path), f"not readable as HTML ({exc}); re-save the page") from exc
    text = visible_text(root)
    if not text.strip():
        raise DocumentError(str(path), NO_TEXT)
    return Loaded(text=text, **_head(root))


def _to_str(data: bytes, path: str) -> str:
    """Decode by BOM / UTF-8 first (via the text loader), else by the page's own <meta charset>."""
    declared = _CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, path)


def visible_text(root: lxml.html.HtmlElement) -> str:
    """Text a reader sees: block elements end lines, inline runs collapse their white space."""
    out: list[str] = []
    _walk(root, out, in_pre=False, in_article=False)
    lines = [line.strip() for line in "".join(out).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n") + "\n"


def _walk(el: etree._Element, out: list[str], *, in_pre: bool, in_article: bool) -> None:
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
    if not skip:
        in_pre = in_pre or tag == "pre"
        in_article = in_article or tag in ("article", "main")
        if tag in _PARAGRAPH or tag in _LINE:
            out.append("\n")
        out.append(_inline(el.text or "", in_pre))
        for child in el:
            _walk(child, out, in_pre=in_pre, in_article=in_article)
        out.append("\n\n" if tag in _PARAGRAPH else "\n" if tag in _LINE else "")
        if tag in _CELL:
            out.append(" ")
    out.append(_inline(el.tail or "", in_pre))


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
