"""``direkt-tui check-api``: conformance checks of a platform adapter against the contract
(``shared/api/openapi.yaml``, bundled here as ``openapi.yaml``). A client of the API like the
sync, and nothing more: it never writes unless asked to, and then on a named test unit only."""

from .checks import Check, CheckRun, run_checks

__all__ = ["Check", "CheckRun", "run_checks"]
