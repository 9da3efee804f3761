"""The scripting command line: the same operations the UI offers, for CI and the shell.

Exit status: 0 success (``check``: the verdict is go, or conditional with
``--allow-conditional``), 1 ``check`` found the project not ready, 2 bad usage
or a bad file, with a one-line message and never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.models import ITEM_STATUSES, RISKS

if TYPE_CHECKING:
    from workbench.store import Store

EXIT_OK, EXIT_NOT_READY, EXIT_USAGE = 0, 1, 2


class UsageError(WorkbenchError):
    pass


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line that says where to look."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _rate_or_number(text: str) -> float:
    """A number; ``93%`` is read as the fraction 0.93."""
    raw = text.strip()
    try:
        if raw.endswith("%"):
            return float(raw[:-1]) / 100
        return float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (write 0.93 or 93%)") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _open(path: str) -> Store:
    from workbench.store import Store

    return Store.open(Path(path))


def _user(args: argparse.Namespace) -> str:
    from workbench.operations import default_user

    return getattr(args, "by", None) or default_user()


# ---------------------------------------------------------------- the commands


def cmd_new(args: argparse.Namespace) -> int:
    from workbench.operations import create_project

    if args.checklist and args.from_toml:
        raise UsageError("give either --checklist or --from, not both")
    if not args.from_toml and not args.name:
        raise UsageError("a new project needs --name NAME (or --from FILE.toml)")
    store = create_project(
        Path(args.path),
        name=args.name,
        risk=args.risk,
        by=_user(args),
        checklist=Path(args.checklist) if args.checklist else None,
        from_toml=Path(args.from_toml) if args.from_toml else None,
        owner=args.owner or "",
        system=args.system or "",
    )
    with store:
        data = store.load()
        print(
            f"Created {args.path}: {data.project.name!r}, {data.project.risk} risk, "
            f"{len(data.checklist)} checklist items, {len(data.thresholds)} thresholds."
        )
        print(f"Next: workbench open {args.path}   (or: workbench status {args.path})")
    return EXIT_OK


def _bar(fraction: float, width: int = 20) -> str:
    filled = round(fraction * width)
    return "█" * filled + "·" * (width - filled)


def cmd_status(args: argparse.Namespace) -> int:
    from workbench.operations import project_state
    from workbench.readiness import VERDICT_TITLES

    with _open(args.path) as store:
        data, evidence, result = project_state(store)
    done = sum(i.status != "open" for i in data.checklist)
    print(f"{data.project.name}  ({data.project.risk} risk)")
    if data.project.system:
        print(data.project.system.splitlines()[0][:200])
    print(f"Verdict: {VERDICT_TITLES[result.verdict]}")
    print(f"Checklist: {done}/{len(data.checklist)} done or not applicable")
    print()
    for score in result.scores:
        print(f"  {score.title:<20} {_bar(score.score)} {score.passed:>3}/{score.total:<3}")
    if result.blockers:
        print(f"\nBlockers ({len(result.blockers)}):")
        for blocker in result.blockers:
            print(f"  ✗ {blocker.reason}   [{blocker.where}]")
    if result.open_points:
        print(f"\nOpen points ({len(result.open_points)}):")
        limit = len(result.open_points) if args.all else 10
        for point in result.open_points[:limit]:
            print(f"  • {point.reason}   [{point.where}]")
        if len(result.open_points) > limit:
            print(f"  … and {len(result.open_points) - limit} more (workbench status --all)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from workbench.files import write_atomic
    from workbench.operations import project_state
    from workbench.readiness import VERDICT_TITLES
    from workbench.reports.junit import render_junit

    with _open(args.path) as store:
        data, _evidence, result = project_state(store)
    if args.junit:
        write_atomic(
            Path(args.junit), render_junit(data.project.name, result, args.allow_conditional)
        )
    ok = result.verdict == "go" or (result.verdict == "conditional" and args.allow_conditional)
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return EXIT_OK if ok else EXIT_NOT_READY
    print(f"{data.project.name}: {VERDICT_TITLES[result.verdict]}")
    for blocker in result.blockers:
        print(f"  blocker: {blocker.reason}   [{blocker.where}]")
    if result.verdict == "conditional":
        print(f"  {len(result.open_points)} open point(s); see: workbench status {args.path}")
    if args.junit:
        print(f"JUnit report written to {args.junit}")
    return EXIT_OK if ok else EXIT_NOT_READY


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.export import export_reports

    formats = args.format or ["html"]
    if "all" in formats:
        formats = ["md", "html", "json", "toml"]
    with _open(args.path) as store:
        written = export_reports(
            store,
            formats,
            output=Path(args.output) if args.output else None,
            output_dir=Path(args.output_dir) if args.output_dir else None,
        )
    for fmt, path in written:
        print(f"{fmt:>4}: {path.resolve()}")
    return EXIT_OK


def cmd_tick(args: argparse.Namespace) -> int:
    from workbench.operations import tick

    if args.status == "na" and not args.reason:
        raise UsageError("--status na needs --reason TEXT (say why the item does not apply)")
    with _open(args.path) as store:
        item = tick(
            store,
            args.item_id,
            args.status,
            _user(args),
            evidence=args.evidence,
            reason=args.reason,
            owner=args.owner,
        )
    label = {"open": "open", "done": "done", "na": "not applicable"}[item.status]
    print(f"Saved: {item.id} is {label}.")
    return EXIT_OK


def cmd_measure(args: argparse.Namespace) -> int:
    from workbench.evidence import measure_threshold
    from workbench.operations import measure
    from workbench.readiness import format_value

    with _open(args.path) as store:
        threshold = measure(
            store, args.metric, args.value, _user(args), n=args.n, source=args.source or ""
        )
    m = measure_threshold(threshold)
    text = f"Saved: {threshold.name} = {format_value(m.value, threshold.unit)}"
    if m.ci_low is not None and m.ci_high is not None:
        text += (
            f" (95% interval {format_value(m.ci_low, threshold.unit, 1)}"
            f" – {format_value(m.ci_high, threshold.unit, 1)}, n={m.n})"
        )
    target = f"{threshold.comparator} {format_value(threshold.target, threshold.unit)}"
    print(f"{text}; target {target}: {m.status.replace('_', ' ')}.")
    return EXIT_OK


def cmd_decide(args: argparse.Namespace) -> int:
    from workbench.operations import decide

    with _open(args.path) as store:
        record = decide(
            store,
            _user(args),
            title=args.title,
            decision=args.decision,
            rationale=args.rationale,
            status=args.status,
            supersedes=args.supersedes,
            context=args.context or "",
            alternatives=args.alternatives or "",
            owner=args.owner or "",
            links=args.link or [],
        )
    extra = f", superseding decision {record.supersedes}" if record.supersedes else ""
    print(f"Saved: decision {record.id} ({record.status}){extra}.")
    return EXIT_OK


def cmd_items(args: argparse.Namespace) -> int:
    marks = {"open": "[ ]", "done": "[x]", "na": "[-]"}
    with _open(args.path) as store:
        data = store.load()
    for item in data.checklist:
        if args.open and item.status != "open":
            continue
        owner = f"  ({item.owner})" if item.owner else ""
        print(f"{marks[item.status]} {item.id:<40} {item.title}{owner}")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    with _open(args.path) as store:
        entries = store.history(limit=args.limit, by=args.user, text=args.grep)
    for e in entries:
        old = "" if e.old is None else json.dumps(e.old, ensure_ascii=False)[:60]
        new = "" if e.new is None else json.dumps(e.new, ensure_ascii=False)[:60]
        what = f"{e.entity} {e.key}".strip()
        print(f"{e.at}  {e.by:<12} {what} {e.field}: {old} → {new}")
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    with _open(args.path) as store:
        change = store.undo(_user(args))
    print(f"Saved: {change.summary}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from workbench.reports.json import report_schema

    print(json.dumps(report_schema(), indent=2))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from workbench.backup import backup

    with _open(args.path) as store:
        target = backup(store, folder=Path(args.folder) if args.folder else None)
    print(f"Backup written to {target}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from workbench.backup import list_backups, restore

    project = Path(args.path)
    if args.backup is None:
        found = list_backups(project)
        if not found:
            raise UsageError(f"no backups of {project} found; name one: restore PATH BACKUP")
        for path in found:
            print(path)
        print("Restore one with: workbench restore PATH BACKUP_FILE")
        return EXIT_OK
    safety = restore(Path(args.backup), project)
    print(f"Restored {project} from {args.backup}.")
    if safety:
        print(f"The file it replaced was kept as {safety}")
    return EXIT_OK


def cmd_open(args: argparse.Namespace) -> int:
    from workbench.store import check_project_file

    check_project_file(Path(args.path))
    from workbench.ui.app import run_app

    return run_app(Path(args.path), theme=args.theme)


def cmd_serve(args: argparse.Namespace) -> int:
    from workbench.store import check_project_file

    check_project_file(Path(args.path))
    try:
        from workbench.ui.serve import serve
    except ImportError:
        raise UsageError("serving needs textual-serve: pip install 'workbench[serve]'") from None
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"Warning: listening on {args.host}: anyone who can reach it can edit the project.",
            file=sys.stderr,
        )
    serve(Path(args.path), args.host, args.port)
    return EXIT_OK


# -------------------------------------------------------------------- parsing


def build_parser() -> Parser:
    parser = Parser(
        prog="workbench",
        description="Get an AI system ready for production: checklist, thresholds, evidence, "
        "verdict and report, in one project file.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name: str, handler: Callable[[argparse.Namespace], int], text: str):
        p = sub.add_parser(name, help=text, description=text)
        p.set_defaults(handler=handler)
        return p

    def by(p: argparse.ArgumentParser) -> None:
        p.add_argument("--by", metavar="NAME", help="who makes the edit (default: login name)")

    p = command("new", cmd_new, "create a project file from the guide's checklist")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--name", help="the project's name")
    p.add_argument("--risk", choices=RISKS, help="risk level (default: medium)")
    p.add_argument("--checklist", metavar="FILE", help="start from this template TOML")
    p.add_argument("--from", dest="from_toml", metavar="FILE.toml", help="start from an export")
    p.add_argument("--owner", help="who owns the readiness work")
    p.add_argument("--system", help="one line on the AI system and its use")
    by(p)

    p = command("status", cmd_status, "show the verdict, area scores and blockers")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--all", action="store_true", help="list every open point")

    p = command("check", cmd_check, "exit 0 if ready (go), 1 if not: for CI")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML here")
    p.add_argument("--allow-conditional", action="store_true", help="pass on conditional")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")

    p = command("export", cmd_export, "write the readiness report")
    p.add_argument("path", metavar="PROJECT")
    p.add_argument(
        "--format",
        action="append",
        choices=["md", "html", "json", "toml", "all"],
        help="md, html, json, toml or all (repeatable; default html)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="the file to write (one format)")
    p.add_argument("--output-dir", metavar="DIR", help="the folder to write into")

    p = command("tick", cmd_tick, "set a checklist item's status")
    p.add_argument("path", metavar="PATH")
    p.add_argument("item_id", metavar="ITEM_ID")
    p.add_argument("--status", required=True, choices=ITEM_STATUSES)
    p.add_argument("--evidence", metavar="TEXT", help="what shows it is done (text or link)")
    p.add_argument("--reason", metavar="TEXT", help="why it does not apply (with --status na)")
    p.add_argument("--owner", metavar="NAME")
    by(p)

    p = command("measure", cmd_measure, "record a measured value for a threshold")
    p.add_argument("path", metavar="PATH")
    p.add_argument("metric", metavar="METRIC")
    p.add_argument("value", metavar="VALUE", type=_rate_or_number, help="0.93 or 93%%; seconds")
    p.add_argument("--n", type=_positive_int, metavar="CASES", help="how many cases it is from")
    p.add_argument("--source", metavar="TEXT", help="where the figure comes from")
    by(p)

    p = command("decide", cmd_decide, "add a decision to the decision log")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--title", required=True)
    p.add_argument("--decision", required=True)
    p.add_argument("--rationale", required=True)
    p.add_argument("--status", default="accepted", help="proposed, accepted (default), rejected")
    p.add_argument("--supersedes", type=_positive_int, metavar="ID")
    p.add_argument("--context")
    p.add_argument("--alternatives")
    p.add_argument("--owner")
    p.add_argument("--link", action="append", metavar="threshold:METRIC|item:ID")
    by(p)

    p = command("items", cmd_items, "list the checklist items and their ids")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--open", action="store_true", help="only open items")

    p = command("history", cmd_history, "show who changed what and when")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--limit", type=_positive_int, default=50)
    p.add_argument("--user", metavar="NAME", help="only this person's edits")
    p.add_argument("--grep", metavar="TEXT", help="only entries mentioning TEXT")

    p = command("undo", cmd_undo, "undo the last edit")
    p.add_argument("path", metavar="PATH")
    by(p)

    command("schema", cmd_schema, "print the JSON Schema of the JSON report")

    p = command("backup", cmd_backup, "copy the project into its backups folder")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--folder", metavar="DIR", help="where to put it (default: backups/ beside it)")

    p = command("restore", cmd_restore, "list backups, or bring one back")
    p.add_argument("path", metavar="PATH")
    p.add_argument("backup", metavar="BACKUP", nargs="?")

    p = command("open", cmd_open, "open the project in the workshop UI")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--theme", help="colour theme (default: remembered, else workbench-dark)")

    p = command("serve", cmd_serve, "run the workshop UI in a browser, for remote participants")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_positive_int, default=8000, help="port (default 8000)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return EXIT_USAGE
        return int(args.handler(args))
    except WorkbenchError as error:
        print(f"workbench: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(
            "workbench: interrupted; nothing half-saved (each edit is all or nothing)",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        print(
            f"workbench: internal error ({type(error).__name__}: {' '.join(str(error).split())}); "
            "please report it (WORKBENCH_DEBUG=1 shows details)",
            file=sys.stderr,
        )
        return 70
