"""The local SQLite store: the only layer with SQL. :class:`Store` is its public face."""

from .db import FEEDS, NewerSchemaError, Quarantined, Store, StoreError, SyncHealth

__all__ = ["FEEDS", "NewerSchemaError", "Quarantined", "Store", "StoreError", "SyncHealth"]
