"""A message with ``{minutes:hm}`` fields reads the same through ``i18n.t``'s shortcut (plain
``str.format``, the durations written once per value) as through the general formatter."""

from __future__ import annotations

import re

import pytest

from direkt_tui import i18n

HM_KEYS = sorted(k for k, (sv, en) in i18n.CATALOGUE.items() if ":hm}" in sv or ":hm}" in en)


def test_the_catalogue_has_hm_messages():
    assert len(HM_KEYS) >= 5


@pytest.mark.parametrize("key", HM_KEYS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_shortcut_reads_as_the_general_formatter(key, lang):
    text = i18n.CATALOGUE[key][1 if lang == "en" else 0]
    names = set(re.findall(r"\{(\w+)(?::[^}]*)?\}", text))
    for value in (0, 1, 59, 60, 61, 125, 1530, -5, 45.7, 60.0, "20,0", True, "x"):
        kwargs = {name: value for name in names}
        assert i18n.t(key, lang, **kwargs) == i18n._Formatter(lang).format(text, **kwargs)


def test_escaped_braces_and_odd_fields_take_the_general_formatter():
    assert i18n._hm_fields("{{a:hm}} {b:hm}") == (None, ())
    assert i18n._hm_fields("{a.b:hm}") == (None, ())
    assert i18n._hm_fields("{a:hm} och {a:hm}, {b}") == ("{a\x00hm} och {a\x00hm}, {b}", ("a",))
