r"""User text in Streamlit's Markdown: shown literally, never as markup.

Column names, cell values, file names, link values and messages quoting them come from the
user. Streamlit renders Markdown almost everywhere (bodies, captions, alerts, radio options,
widget labels, ``st.table`` cells), and on top of CommonMark it has GitHub's autolinks,
``$`` math, ``:color[...]`` directives and ``:material/icon:``/``:emoji:`` shortcodes.

Two layers of defence, because Streamlit applies them at two levels:

- a backslash before each character the parser gives a meaning (CommonMark allows one
  before any ASCII punctuation), which stops links, images, emphasis, HTML, math and
  directives;
- an invisible WORD JOINER (U+2060) inside ``://``, ``www.``, ``@`` and ``:name``: autolinks
  and shortcodes are found by searching the parsed *text*, after the backslashes are gone,
  so only a character that stays in the text can break them.
"""

from __future__ import annotations

import re

__all__ = ["md_escape", "md_code", "latex_safe", "JOINER"]

JOINER = "\u2060"
# Characters that change meaning anywhere in a line (emphasis, code, links, HTML, tables, math,
# entities).
_MD_INLINE = frozenset("\\`*_{}[]<>|~$&")
# A line starting like a heading, list, quote or numbered list must have that start escaped.
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")
# Where the text-level passes (autolinks, shortcodes) would start: a colon before a non-space
# (http://, :material/x:, :smile:), an at sign (e-mail), "www" before a dot.
_TEXT_LEVEL = re.compile(r"(:)(?=\S)|(@)|(www)(?=\\?\.)", re.IGNORECASE)


def md_escape(text: object) -> str:
    r"""``text`` as Markdown that Streamlit shows exactly as written.

    Newlines become spaces (a message is one paragraph).

    >>> md_escape("a_b *c* [d](e) $x$")
    'a\\_b \\*c\\* \\[d\\](e) \\$x\\$'
    >>> md_escape("# title")
    '\\# title'
    >>> md_escape("see http://x.y") == "see http:" + JOINER + "//x.y"
    True
    >>> md_escape("Not plotted: 1 row")
    'Not plotted: 1 row'
    """
    out = "".join("\\" + ch if ch in _MD_INLINE else ch for ch in str(text).replace("\n", " "))
    out = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out, count=1)
    return _TEXT_LEVEL.sub(lambda m: m.group(0) + JOINER, out)


def md_code(text: object) -> str:
    """User text as inline code: nothing inside is markup.

    A backtick cannot be escaped inside a code span, so it is replaced by a look-alike.
    Streamlit turns ``:material/`` into ``:material_`` even inside code, so the slash
    is kept by a joiner (the icon itself is never drawn there).

    >>> md_code("a`b")
    '`aʼb`'
    """
    return "`" + str(text).replace("`", "ʼ").replace(":material/", ":" + JOINER + "material/") + "`"


def latex_safe(tex: str) -> str:
    r"""LaTeX for ``st.latex`` that keeps a ``:material/`` in a name as written.

    Streamlit rewrites ``:material/`` to ``:material_`` in the whole source, math included, and
    an underscore in ``\text{...}`` is a KaTeX error that breaks the formula. An empty group
    between the two renders as nothing and hides the pair from that rewrite.

    >>> latex_safe(r"\text{:material/warning:}")
    '\\text{:{}material/warning:}'
    """
    return tex.replace(":material/", ":{}material/")
