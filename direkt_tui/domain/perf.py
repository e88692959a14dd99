"""Performance helpers with no I/O."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around bulk creation of acyclic objects (loading a
    snapshot, evaluating the rules): otherwise it runs repeated full passes over tens of
    thousands of fresh objects. Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
