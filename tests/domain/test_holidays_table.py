"""The table of Swedish holidays (domain/holidays_se.py) is what the holidays library says."""

from __future__ import annotations

import holidays

from direkt_tui.domain import holidays_se
from direkt_tui.domain.calendar import swedish_holidays


def test_the_table_is_the_librarys_every_year():
    for year in range(holidays_se.FIRST_YEAR, holidays_se.LAST_YEAR + 1):
        lib = frozenset(holidays.country_holidays("SE", years=year, categories=("public", "de_facto")).keys())
        assert swedish_holidays(year) == lib, year
        assert len(lib) >= 15  # no year read empty


def test_made_from_the_pinned_version():
    assert holidays.__version__ == holidays_se.SOURCE_VERSION


def test_years_outside_the_table_ask_the_library():
    lib = frozenset(holidays.country_holidays("SE", years=1999, categories=("public", "de_facto")).keys())
    assert swedish_holidays(1999) == lib and lib
