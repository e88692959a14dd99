"""Text from the platform is data: never markup, never terminal control (issue 10 §2). Pure.

Every string the platform sends (reasons the patient wrote, names, unit names, template texts,
problem details, staff titles) reaches the coordinator through one of four edges, and each has
one function here:

- :func:`visible` — for the terminal (Textual widgets, Rich text) and anything else shown as
  plain text. Control characters that are not ordinary whitespace are *made visible*, not
  dropped, so a deviation report can say exactly what arrived: C0 controls (U+0000–U+001F),
  DEL (U+007F) and C1 controls (U+0080–U+009F) become ``\\xNN``; bidirectional overrides,
  embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)
  become ``\\uNNNN``. Line breaks (LF, CR, CR LF, VT, FF, NEL, U+2028, U+2029) become one space
  (``multiline=True`` keeps them as ``\\n``); a tab becomes a space. No escape sequence, bell,
  backspace or direction change can reach the terminal. This does not stop Rich or Textual
  from reading ``[red]`` as markup: the UI shows platform text as ``rich.text.Text`` (or
  ``markup=False``), never as a markup string.
- :func:`markdown` — for Markdown (the shift report, the report's Markdown, the phone list):
  :func:`visible`, then every character with a meaning in CommonMark/GFM is backslash-escaped
  (``\\ ` * _ [ ] < > | ~ #``, an entity-like ``&``, the ``:`` of ``scheme://`` and the ``.`` of
  ``www.`` so no autolink forms, ``@`` so no e-mail link forms, and a block marker at the start:
  ``-``, ``+``, ``=``, ``1.``/``1)``). Safe in a table cell, a heading and running text.
- :func:`csv_cell` — for CSV: :func:`visible`, then the OWASP rule against formula injection: a
  cell whose first non-blank character is ``=``, ``+``, ``-`` or ``@`` and that is not a number
  gets a leading ``'``.
- :func:`log` and :class:`LogSanitizer` — for log lines and one-line messages on stderr:
  :func:`visible` of the whole formatted message (and of a traceback's text).

Nothing here does I/O; the functions take ``None`` (→ ``""``) and any object (→ ``str``).
"""

from __future__ import annotations

import logging
import re

# C0 (incl. TAB, LF, CR), DEL, C1 (incl. NEL), bidi controls, the Unicode line/paragraph separators
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")


def _escape_char(m: re.Match[str]) -> str:
    c = m.group()
    if c == "\t":
        return " "
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def visible(value: object, *, multiline: bool = False) -> str:
    """``value`` as text that cannot control a terminal: controls and bidi overrides made
    visible as ``\\xNN`` / ``\\uNNNN``, line breaks a space (or ``\\n`` with ``multiline``)."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else str(value)
    if _UNSAFE.search(s) is None:  # the common case: nothing to do
        return s
    s = _LINE_BREAKS.sub("\n" if multiline else " ", s)
    if multiline:
        return "\n".join(_UNSAFE.sub(_escape_char, line) for line in s.split("\n"))
    return _UNSAFE.sub(_escape_char, s)


def is_visible(s: str) -> bool:
    """True when :func:`visible` would leave ``s`` as it is (no control, no bidi, no line break)."""
    return _UNSAFE.search(s) is None


# -- Markdown ---------------------------------------------------------------------------------
_MD_ALWAYS = re.compile(r"([\\`*_\[\]<>|~#@])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_SCHEME = re.compile(r"(?<=[A-Za-z0-9])://")
_MD_WWW = re.compile(r"(?i)\b(www)\.")
_MD_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")


def markdown(value: object) -> str:
    """``value`` as literal Markdown text on one line: visible controls, no Markdown syntax."""
    s = visible(value)
    s = _MD_ENTITY.sub(r"\\&", s)
    s = _MD_ALWAYS.sub(r"\\\1", s)
    s = _MD_SCHEME.sub(r"\\://", s)
    s = _MD_WWW.sub(r"\1\\.", s)
    m = _MD_BLOCK_START.match(s)
    if m:
        if m.group(2):
            s = f"{m.group(1)}\\{s[m.end(1) :]}"
        else:
            s = f"{s[: m.end(3)]}\\{s[m.end(3) :]}"
    return s


def markdown_masked(value: object) -> str:
    """:func:`markdown` for a masked personal identity number (``19800505-****``): the mask's
    asterisks stay as written, readable on paper (asterisks with no text between are no
    emphasis); whatever precedes them is escaped like any platform text."""
    s = visible(value)
    head, sep, tail = s.rpartition("-")
    if sep and tail and set(tail) == {"*"}:
        return f"{markdown(head)}-{tail}"
    return markdown(s)


# -- CSV --------------------------------------------------------------------------------------
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_FORMULA_START = ("=", "+", "-", "@")


def csv_cell(value: object) -> str:
    """One CSV cell: visible controls on one line, and never the start of a formula (OWASP:
    ``=``, ``+``, ``-``, ``@`` first — after any blanks — gets a ``'`` unless it is a number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    s = visible(value)
    stripped = s.lstrip()
    if stripped.startswith(_FORMULA_START) and _NUMBER.fullmatch(stripped.rstrip()) is None:
        return "'" + s
    return s


# -- logs -------------------------------------------------------------------------------------
def log(value: object) -> str:
    """A log line or a one-line message on stderr: :func:`visible` on one line."""
    return visible(value)


class LogSanitizer(logging.Filter):
    """A handler filter: the record's formatted message (and its traceback text) made visible,
    so a name or a problem detail in a log argument cannot control the terminal the log goes
    to. Install it on the handlers where logging is configured (:func:`install_log_sanitizer`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: let logging report it as it always does
            return True
        if record.args or _UNSAFE.search(message):
            record.msg, record.args = log(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = visible(record.exc_text, multiline=True)
        if record.stack_info:
            record.stack_info = visible(record.stack_info, multiline=True)
        return True


def install_log_sanitizer(logger: logging.Logger | None = None) -> None:
    """Put one :class:`LogSanitizer` on every handler of ``logger`` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, LogSanitizer) for f in handler.filters):
            handler.addFilter(LogSanitizer())


__all__ = [
    "visible",
    "is_visible",
    "markdown",
    "markdown_masked",
    "csv_cell",
    "log",
    "LogSanitizer",
    "install_log_sanitizer",
]
