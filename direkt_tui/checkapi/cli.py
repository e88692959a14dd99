"""``direkt-tui check-api``: the command line of the conformance checks (cli.md).

Output is English: it is a tool for a region's integration developers and their CI, not for
the care unit. Exit 0 when no check failed, 1 when one did (or the server cannot be reached),
2 on bad arguments."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO

MARK = {"pass": "PASS", "fail": "FAIL", "warn": "WARN", "skip": "SKIP"}


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--api", required=True, metavar="URL", help="the adapter's base URL, ending in /api/v1")
    p.add_argument(
        "--token-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="file holding the bearer token (default: $DIREKT_API_TOKEN)",
    )
    p.add_argument("--writes", action="store_true", help="also check writes (idempotency, if_version, held_by_person)")
    p.add_argument("--unit", default=None, metavar="TEST_UNIT", help="the test unit writes may touch (with --writes)")
    p.add_argument("--limit", type=int, default=7, metavar="N", help="page size for paging the feeds (default 7)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--spec",
        type=Path,
        default=None,
        metavar="FILE",
        help="another openapi.yaml to check against (default: the bundled contract)",
    )
    p.add_argument("--ca-bundle", type=Path, default=None, metavar="FILE", help="CA certificates to trust (PEM)")
    p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS", help="per request (default 20)")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    import httpx
    import yaml

    from ..sync.token import load_token
    from .checks import run_checks
    from .schema import Contract

    out = out or sys.stdout
    err = err or sys.stderr

    def usage(msg: str) -> int:
        print(f"direkt-tui check-api: {msg}", file=err)
        return 2

    if args.writes and not args.unit:
        return usage("--writes needs --unit TEST_UNIT (writes touch a test unit only)")
    if args.unit and not args.writes:
        return usage("--unit is for --writes")
    if not 1 <= args.limit <= 1000:
        return usage("--limit must be between 1 and 1000")
    if not 0 < args.timeout <= 300:
        return usage("--timeout must be a positive number of seconds, at most 300")
    if args.ca_bundle is not None and not args.ca_bundle.is_file():
        return usage(f"--ca-bundle: no such file: {args.ca_bundle}")
    api = args.api.rstrip("/")
    if not api.startswith(("http://", "https://")):
        return usage(f"--api must be an http(s) URL, got {args.api!r}")
    try:
        contract = Contract(args.spec)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return usage(f"cannot read the contract {args.spec}: {str(exc).splitlines()[0]}")
    try:
        # an explicit --token-file is the only token: never one from the environment instead (a
        # production token in the shell must not go to the adapter under test)
        secret = load_token(args.token_file, {} if args.token_file is not None else os.environ)
    except Exception as exc:  # ClientConfigError: one line
        return usage(str(exc))
    if secret is None:
        print(
            "direkt-tui check-api: warning: no token (--token-file or DIREKT_API_TOKEN): "
            "every check that needs one will fail with 401",
            file=err,
        )
    headers = {"Accept": "application/json", "User-Agent": "direkt-tui check-api"}
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret.reveal()}"
    verify: object = str(args.ca_bundle) if args.ca_bundle else True
    progress = None if args.format == "json" or not err.isatty() else (lambda s: print(f"… {s}", file=err))
    with httpx.Client(base_url=api + "/", headers=headers, timeout=args.timeout, verify=verify) as client:  # type: ignore[arg-type]
        result = run_checks(
            client,
            api,
            contract=contract,
            writes_unit=args.unit if args.writes else None,
            limit=args.limit,
            progress=progress,
        )
    if args.format == "json":
        out.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        width = max((len(c.id) for c in result.checks), default=10)
        for c in result.checks:
            out.write(f"{MARK[c.status]}  {c.id:<{width}}  {c.why}\n")
        d = result.as_dict()["counts"]
        summary = ", ".join(f"{d[k]} {k}" for k in ("pass", "fail", "warn", "skip") if d.get(k))
        out.write(f"\n{'OK' if result.passed else 'FAILED'}: {summary} (contract {result.contract_version}, {api})\n")
    return 0 if result.passed else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="direkt-tui check-api", description=__doc__)
    configure_parser(p)
    return run(p.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
