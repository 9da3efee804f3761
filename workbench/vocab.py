"""Names and fixed vocabularies, with no imports: what the CLI and the first screen need
before anything heavy is loaded."""

from __future__ import annotations

APPLICATION_ID = 0x57424E43  # "WBNC": marks a SQLite file as a workbench project
SCHEMA_VERSION = 10  # the project file's schema: the number of migrations (a test checks)
SQLITE_MAGIC = b"SQLite format 3\x00"
RISKS = ("low", "medium", "high")
ITEM_STATUSES = ("open", "done", "na")
COMPARATORS = (">", ">=", "<", "<=")
VERDICT_TITLES: dict[str, str] = {"go": "GO", "conditional": "CONDITIONAL", "no_go": "NO-GO"}
