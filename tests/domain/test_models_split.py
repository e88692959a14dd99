"""Issue 11: ``domain/models.py`` split by responsibility (contract, entities, case, snapshot),
each module at most 600 lines, with every name still importable from ``domain.models``."""

from __future__ import annotations

from pathlib import Path

import pytest

from direkt_tui.domain import case, contract, entities, models

DOMAIN = Path(models.__file__).parent


@pytest.mark.parametrize("name", ["models.py", "contract.py", "entities.py", "case.py"])
def test_module_at_most_600_lines(name: str) -> None:
    lines = (DOMAIN / name).read_text(encoding="utf-8").count("\n")
    assert lines <= 600, f"{name}: {lines} lines"


def test_every_name_is_reexported_from_models() -> None:
    for part in (contract, entities, case):
        for name in part.__all__:
            assert name in models.__all__, name
            assert getattr(models, name) is getattr(part, name), name
    for name in models.__all__:
        assert hasattr(models, name), name


def test_case_from_api_is_the_same_through_models() -> None:
    d = {
        "id": "c1",
        "unit_id": "u1",
        "kind": "care",
        "priority": 2,
        "status": "waiting",
        "owner": None,
        "created_at": "2026-11-26T08:00:00Z",
        "updated_at": "2026-11-26T08:00:00Z",
        "version": 1,
        "patient": {
            "protected_identity": True,
            "display_name": "",
            "personnummer": "",
            "birth_date": "1990-01-01",
        },
    }
    parsed = models.Case.from_api(d)
    assert isinstance(parsed, case.Case)
    assert parsed == case.Case._from_api_strict(d)
    with pytest.raises(models.ValidationError):
        models.Case.from_api({**d, "status": "lost"})
