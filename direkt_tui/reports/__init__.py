"""The read side for people: the shift report, the call list and the audit CLI, used by the
command line and the application alike (domain + store only; no sync, simulator or UI)."""
