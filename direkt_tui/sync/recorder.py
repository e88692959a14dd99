"""After each successful sync cycle: evaluate the rules at the platform's time and record the
load history (the sparklines, the shift report) and the findings log (opened/resolved, the
shift report). Runs in the sync thread on the writer store, whether or not a UI is open."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..domain.rules import RuleEngine
from ..faults import STORE_FAULTS, fault_text
from ..store.db import Store
from ..store.shiftlog import record_findings, record_loads

log = logging.getLogger(__name__)


class Recorder:
    def __init__(self, store: Store, config: Any, *, on_store_fault: Callable[[BaseException], None] | None = None):
        """``on_store_fault(exc)``: the store itself failed (damaged, full, read-only); without
        it such a fault is logged as one line (never a traceback, never the damaged text)."""
        self.store = store
        self.engine = RuleEngine(config.params_for)
        self.on_store_fault = on_store_fault

    def __call__(self, result: Any) -> None:
        at = getattr(result, "data_as_of", None)
        if at is None:
            return
        try:
            snap = self.store.snapshot(around=at, identity=False, **self.engine.read_plan(self.store.units(), at))
            ev = self.engine.evaluate(snap, at)
            record_loads(self.store, at, ev)
            record_findings(self.store, at, ev)
        except STORE_FAULTS as exc:
            if self.on_store_fault is not None:
                self.on_store_fault(exc)
            else:
                log.error("recording load and findings failed: %s", fault_text(exc, self.store.path))
        except Exception:  # the sync itself succeeded; the history gets the next cycle
            log.exception("recording load and findings failed")
