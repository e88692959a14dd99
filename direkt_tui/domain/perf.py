"""Performance helpers with no I/O."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around bulk creation of acyclic objects (loading a
    snapshot, evaluating the rules): otherwise it runs repeated passes over tens of thousands
    of fresh objects. Reference counting still frees everything as usual.

    On the way out the objects made meanwhile go straight to the oldest generation
    (``freeze`` then ``unfreeze``): the collector would otherwise scan them all at its next
    young-generation pass — a pause of tens of milliseconds on whichever thread triggers it,
    the UI's included. They stay collectable by every later full collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
