"""Run the outbox sender over a store until nothing is pending (killed by the crash test).

    python sender_proc.py DB BASE_URL TOKEN
"""

from __future__ import annotations

import sys

from direkt_tui.store.db import Store
from direkt_tui.sync.client import ApiClient
from direkt_tui.sync.outbox import OutboxSender


def main(db: str, base_url: str, token: str) -> int:
    store = Store(db)
    client = ApiClient(base_url, token=token, deadline=10.0)
    sender = OutboxSender(store, client, concurrency=8)
    print("sending", flush=True)
    ok = sender.run_until_idle(60)
    sender.close()
    client.close()
    store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
