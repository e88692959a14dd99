"""The coordinator's filter (``/``): parsing what was typed, and matching free text — the case
id, reason and owner, and the patient's name and personal identity number (whole or the last
four; a match by identity is audited by the app). Pure: no Textual, no store."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .. import i18n

STATUS_KEYS = {"väntar": "waiting", "mottagen": "received", "pågående": "started", "avslutad": "closed"}


class FilterError(ValueError):
    pass


@dataclass(frozen=True)
class CaseFilter:
    """What the coordinator narrowed the lists to (``/``, ``d`` and ``u``)."""

    text: str = ""
    rules: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    up_to: date | None = None
    risk: bool = False  # ``risk:`` / ``regel:at_risk``: cases at risk of their deadline (§4b)

    @property
    def active(self) -> bool:
        return bool(
            self.text or self.rules or self.priorities or self.statuses or self.units or self.up_to or self.risk
        )

    def describe(self, lang: str = "sv") -> str:
        """The filter as the coordinator would type it, in ``lang`` (``status:väntar``)."""
        parts = []
        if self.text:
            parts.append(f"”{self.text}”")
        rule, unit = ("regel", "enhet") if lang == "sv" else ("rule", "unit")
        parts += [f"{rule}:{r}" for r in sorted(self.rules)]
        if self.risk:
            parts.append("risk:")
        parts += [f"prio:{p}" for p in sorted(self.priorities)]
        parts += [f"status:{i18n.t(f'status.{s}', lang)}" for s in sorted(self.statuses)]
        parts += [f"{unit}:{u}" for u in sorted(self.units)]
        if self.up_to:
            parts.append(f"≤ {self.up_to.isoformat()}")
        return " ".join(parts)


def parse_filter(query: str, base: CaseFilter | None = None) -> CaseFilter:
    """``"ont i magen regel:absent_owner prio:1,2 enhet:vc-x status:väntar"`` → a filter.
    English keys (rule:, unit:) work too. Keeps ``up_to`` from ``base``."""
    from ..domain.ruletable import RULE_IDS

    words, rules, prios, statuses, units = [], set(), set(), set(), set()
    risk = False
    for token in query.split():
        if ":" not in token:
            words.append(token)
            continue
        key, _, value = token.partition(":")
        values = [v for v in value.split(",") if v]
        key = key.lower()
        if key == "risk":  # ``risk:`` (a value is not needed)
            risk = True
        elif key in ("regel", "rule"):
            for v in values:
                if v == AT_RISK:  # not a rule: the deadline's state (domain.md §4b)
                    risk = True
                    continue
                if v not in RULE_IDS:
                    raise FilterError(token)
                rules.add(v)
        elif key in ("prio", "p", "priority"):
            for v in values:
                v = v.lower()
                if v not in ("1", "2", "3", "4", "5", "admin"):
                    raise FilterError(token)
                prios.add(v)
        elif key in ("status",):
            for v in values:
                v = STATUS_KEYS.get(v.lower(), v.lower())
                if v not in ("waiting", "received", "started"):
                    raise FilterError(token)
                statuses.add(v)
        elif key in ("enhet", "unit"):
            units.update(values)
        else:
            raise FilterError(token)
    return CaseFilter(
        " ".join(words),
        frozenset(rules),
        frozenset(prios),
        frozenset(statuses),
        frozenset(units),
        base.up_to if base else None,
        risk,
    )


AT_RISK = "at_risk"  # ``regel:at_risk`` — the deadline filter's name among the rules
_PNR_SEPARATORS = str.maketrans("", "", "-+ ")


def _pnr_word(word: str) -> str | None:
    """The digits of a word typed as a personal identity number — whole (10 or 12 digits, with
    or without the dash) or its last four — else None."""
    digits = word.translate(_PNR_SEPARATORS)
    if digits.isdigit() and len(digits) in (4, 10, 12):
        return digits
    return None


def identity_word_matches(word: str, name: str | None, pnr: str | None) -> bool:
    """Does one typed word match the patient's identity? A number matches the personal identity
    number whole (``19121212-1212``, ``121212-1212``, ``1912121212 12``…) or by its last four
    digits; a name word matches the start of a part of the name (``ber`` → Anna Berg, never
    ``erg``). A patient with protected identity has neither in the store, so never matches."""
    digits = _pnr_word(word)
    if digits is not None:
        if not pnr:
            return False
        full = pnr.translate(_PNR_SEPARATORS)
        return full.endswith(digits) if len(digits) != 12 else full == digits
    if not name or not any(ch.isalpha() for ch in word):
        return False
    w = word.casefold()
    return any(part.startswith(w) for part in re.split(r"[\s\-]+", name.casefold()) if part)


def text_match(words: Sequence[str], hay: str, name: str | None = None, pnr: str | None = None) -> tuple[bool, bool]:
    """(matches, by identity): every word is in ``hay`` (lower case) or matches the patient's
    identity; ``by identity`` when at least one word matched the identity (the search is then
    audited)."""
    by_identity = False
    for word in words:
        w = word.lower()
        if identity_word_matches(word, name, pnr):
            by_identity = True
        elif w not in hay:
            return False, False
    return True, by_identity
