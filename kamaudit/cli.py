"""The ``kamaudit`` command line.

Errors are one clear sentence and a non-zero exit; ``--debug`` shows the traceback.
Exit codes: 0 success, 1 a run or batch item failed, 2 bad usage or input (the folder
in use included), 130 interrupted (Ctrl-C or SIGTERM; the stage process and kernel are
stopped and the previous audit is left as it was).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import KamAuditError

EPILOG = """\
examples:
  kamaudit sample ./acme                      write a fictional company to audit
  kamaudit run ./acme/engagement.yaml --out ./acme-audit
  kamaudit run engagement.yaml --stages intake -p language=cs
  kamaudit validate engagement.yaml           check the file and its inputs, run nothing
  kamaudit init ./new-client                  start a new engagement folder
  kamaudit batch clients/ --jobs 2            many engagements at once
  kamaudit sample seminar --pack 8 --language cs    a seminar pack in Czech
  kamaudit reveal seminar seminar-audits --out debrief   the debrief across groups
"""


def _common(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks for errors",
    )


def _run_parser(sub) -> None:
    r = sub.add_parser(
        "run",
        help="run the audit for one engagement file",
        description="Run the stage notebooks in order with papermill and write the "
        "deliverables. Output layout: DIR/manifest.json, DIR/data/*.parquet, "
        "DIR/notebooks/ (working papers), DIR/deliverables/ (workbook and report).",
    )
    r.add_argument("engagement", type=Path, help="the engagement YAML file")
    r.add_argument(
        "--out",
        "-o",
        type=Path,
        default=None,
        help="output folder (default: kamaudit-output beside the engagement file)",
    )
    r.add_argument(
        "--stages",
        "-s",
        nargs="+",
        default=None,
        metavar="STAGE",
        help="stages to run: intake, cost_to_serve, account_profile, team_design "
        "(or 1-4; comma- or space-separated; default all). A later stage reads what "
        "earlier ones left in the output folder.",
    )
    r.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting of the engagement file, e.g. -p language=cs "
        "-p cost_to_serve.cost_of_capital=0.1 (repeatable)",
    )
    r.add_argument(
        "--from",
        dest="from_audit",
        type=Path,
        default=None,
        metavar="AUDIT",
        help="start the new --out folder from an earlier audit of the same engagement "
        "(its tables are copied), so --stages can re-run later stages there alone",
    )
    r.add_argument(
        "--no-deliverables",
        action="store_true",
        help="run the stages but do not build the workbook and report",
    )
    r.add_argument(
        "--replace",
        action="store_true",
        help="replace an output folder that holds another engagement's audit",
    )
    r.add_argument(
        "--no-cascade",
        action="store_true",
        help="with --stages: do not run again the later stages whose inputs this run "
        "changed; they are marked stale in the manifest and the deliverables' status",
    )
    r.add_argument(
        "--if-changed",
        action="store_true",
        help="do nothing when the audit in the output folder is current (batch uses it)",
    )
    r.add_argument("--quiet", "-q", action="store_true", help="print only errors and the result")
    _common(r)


def _reveal_parser(sub) -> None:
    r = sub.add_parser(
        "reveal",
        help="the seminar debrief: planted facts found by each group's audit",
        description="Compare the audits of a seminar pack's companies with their answer "
        "keys: facts found, the audit's own figures, key-account lists and weights side by "
        "side. Writes DIR/reveal.html, DIR/reveal.xlsx, DIR/data/reveal.parquet and "
        "DIR/answer_sheets/<company>.md (the facilitator's sheets, from the audits).",
    )
    r.add_argument("pack", type=Path, help="the pack folder (with answer_keys/)")
    r.add_argument(
        "audits",
        nargs="+",
        type=Path,
        metavar="AUDITS",
        help="audit folders, or folders holding them (a kamaudit batch output)",
    )
    r.add_argument("--out", "-o", type=Path, required=True, help="debrief folder to write")
    r.add_argument(
        "--language",
        "-l",
        choices=["en", "cs", "pl", "ru", "fa"],
        default=None,
        help="language of the debrief (default: the audits' engagement language)",
    )
    _common(r)


def _batch_parser(sub) -> None:
    b = sub.add_parser(
        "batch",
        help="run many engagements, locally or on a Dask cluster",
        description="Run many engagements: each in its own process and kernel, under a "
        "wall-clock limit. ITEMS are engagement files, folders holding them (searched "
        "recursively for engagement*.yaml / *.yml), or a CSV with one row per engagement "
        "(column 'engagement', optional 'name', other columns are setting overrides). "
        "Up-to-date engagements are skipped unless --force.",
    )
    b.add_argument("items", nargs="+", type=Path, metavar="ITEM")
    b.add_argument(
        "--out",
        "-o",
        type=Path,
        default=Path("kamaudit-batch"),
        help="batch output folder (default kamaudit-batch)",
    )
    b.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help="parallel engagements (default: number of cores)",
    )
    b.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); needs kamaudit[dask]",
    )
    b.add_argument("--force", action="store_true", help="re-run engagements that are up to date")
    b.add_argument(
        "--only-failed",
        action="store_true",
        help="re-run only the engagements that failed last time",
    )
    b.add_argument(
        "--timeout",
        type=_seconds,
        default=3600,
        help="wall-clock limit per engagement in seconds (default 3600)",
    )
    b.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting for every engagement (repeatable)",
    )
    b.add_argument("--no-progress", action="store_true", help="no progress bar")
    _common(b)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kamaudit",
        description="Key Account Management audits from a client's exports: intake, "
        "cost-to-serve, key-account profile and team design, delivered as an Excel "
        "workbook and an HTML report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"kamaudit {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    common = _common
    _run_parser(sub)

    v = sub.add_parser(
        "validate",
        help="check an engagement file and that its inputs can be read",
        description="Load and validate the engagement file, then read and check every input "
        "as intake would, without running notebooks or writing anything.",
    )
    v.add_argument("engagement", type=Path)
    v.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting (repeatable)",
    )
    common(v)

    i = sub.add_parser(
        "init",
        help="start a new engagement folder",
        description="Write a commented engagement file and a client data-request workbook "
        "(one sheet per table, the columns to fill, what each means, allowed values as "
        "drop-downs) into DIR.",
    )
    i.add_argument("dir", type=Path, help="the new engagement folder")
    i.add_argument("--client", default="Client name", help="client name for the engagement file")
    i.add_argument(
        "--language",
        default="en",
        choices=["en", "cs", "pl", "ru", "fa"],
        help="language of the deliverables",
    )
    i.add_argument("--force", action="store_true", help="overwrite existing files")
    common(i)

    s = sub.add_parser(
        "sample",
        help="write a fictional company (or a seminar pack of them)",
        description="Write a seeded, fictional B2B company with all nine input tables, an "
        "engagement file and its planted facts, for training and tests.",
    )
    s.add_argument("dir", type=Path, help="output folder")
    s.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    s.add_argument("--customers", type=int, default=300, help="number of customers (default 300)")
    s.add_argument("--lines", type=int, default=40_000, help="invoice lines (default 40000)")
    s.add_argument(
        "--industry",
        default=None,
        help="distributor, manufacturer, bank, telecom or professional_services",
    )
    s.add_argument(
        "--pack",
        type=int,
        default=None,
        metavar="N",
        help="write N distinct companies for a seminar group, answer keys apart",
    )
    s.add_argument(
        "--language",
        default="en",
        choices=["en", "cs", "pl", "ru", "fa"],
        help="language of the engagement files, READMEs and answer sheets (default en)",
    )
    s.add_argument(
        "--answers",
        type=Path,
        default=None,
        metavar="DIR",
        help="single company: where its answer key goes (default DIR-answers beside it, "
        "so the company folder can be handed out as it is)",
    )
    common(s)

    _batch_parser(sub)
    _reveal_parser(sub)
    return p


MAX_SECONDS = 604_800


def _seconds(text: str) -> int:
    """A time limit in whole seconds, 1 to 7 days' worth (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if not 1 <= value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{value} is not between 1 and {MAX_SECONDS} (7 days)")
    return value


def _say(quiet: bool):
    def say(line: str) -> None:
        if not quiet:
            print(line, file=sys.stderr, flush=True)

    return say


UP_TO_DATE = "Up to date:"


def cmd_run(a: argparse.Namespace) -> int:
    import signal

    from .runner import run_engagement

    def stop(signum, frame):  # SIGTERM (a batch's time limit): clean up as for Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    res = run_engagement(
        a.engagement,
        out_dir=a.out,
        stages=a.stages,
        overrides=a.param,
        deliverables=not a.no_deliverables,
        progress=_say(a.quiet),
        replace=a.replace,
        cascade=not a.no_cascade,
        if_changed=a.if_changed,
        from_audit=a.from_audit,
    )
    if res.up_to_date:
        print(f"{UP_TO_DATE} {res.workspace.root} (nothing changed since its last run).")
        return 0
    if not res.ok:
        print(f"kamaudit: {res.error}", file=sys.stderr)
        print(f"Details: {res.workspace.manifest_path}", file=sys.stderr)
        for note in res.notes:
            print(f"  note: {note}", file=sys.stderr)
        return 1
    print(f"Audit done in {res.seconds:.1f} s: {res.workspace.root}")
    if res.workbook:
        print(f"  workbook: {res.workbook}")
    if res.report:
        print(f"  report:   {res.report}")
    print(f"  working papers: {res.workspace.notebooks_dir}")
    for note in res.notes:
        print(f"  note: {note}")
    return 0


def cmd_validate(a: argparse.Namespace) -> int:
    from .config import load_engagement
    from .runner import check_inputs

    eng = load_engagement(a.engagement, a.param)
    inputs = check_inputs(eng)
    print(
        f"{a.engagement}: engagement file is valid ({eng.client}, "
        f"{eng.period.start} to {eng.period.end}, {len(inputs)} inputs)."
    )
    for change in getattr(eng, "_rescaled", ()):  # -p profile.criteria.<name>.weight=<w>
        how = "set" if change["how"] == "set" else "rescaled to keep 100"
        print(
            f"  weight {change['name']} ({change['axis']}): {change['was']:g} -> "
            f"{change['now']:g}, {how}"
        )
    try:
        from .intake import read_and_check
    except ImportError:
        print("Input checks are not available in this version.")
        return 0
    result = read_and_check(eng)
    _check_cost_pools(eng, result)
    issues = getattr(result, "issues", None)
    n = 0 if issues is None else len(issues)
    print(f"Inputs read and checked: {n} problem(s) reported, none fatal.")
    if n:
        cols = [c for c in ("file", "row", "column", "value", "problem", "action") if c in issues]
        shown = issues[cols].head(20).astype(object)
        print(shown.where(shown.notna(), "").to_string(index=False))
        if n > 20:
            print(f"... and {n - 20} more (kamaudit run writes them all to the workbook).")
    return 0


def _check_cost_pools(eng, result) -> None:
    """Every cost pool's driver resolved in the client's words, or one sentence per pool
    (unless ``cost_to_serve.unallocated: allow``)."""
    if eng.cost_to_serve.unallocated == "allow":
        return
    from .cost_to_serve.driver_words import check_drivers
    from .cost_to_serve.stage import pool_source

    src = pool_source(result.summary)
    tables = result.canonical
    timed = tuple(e.pool for e in eng.cost_to_serve.time_equations)
    check_drivers(tables.get("cost_pools"), tables.get("activities"), **src, skip=timed)


def cmd_init(a: argparse.Namespace) -> int:
    from .starter import write_new_engagement

    written = write_new_engagement(a.dir, client=a.client, language=a.language, force=a.force)
    print(f"New engagement in {a.dir}:")
    for path in written:
        print(f"  {path}")
    print(
        "Next: send the data-request workbook to the client, put their exports in "
        f"{a.dir / 'exports'}, fill in engagement.yaml, then: kamaudit validate "
        f"{a.dir / 'engagement.yaml'}"
    )
    return 0


def cmd_sample(a: argparse.Namespace) -> int:
    from . import sample

    if a.pack:
        infos = sample.generate_pack(
            a.dir,
            a.pack,
            seed=a.seed,
            industry=a.industry,
            n_customers=a.customers,
            n_lines=a.lines,
            language=a.language,
        )
        print(f"Seminar pack of {len(infos)} companies in {a.dir} (answer keys kept apart).")
        return 0
    kwargs = {"seed": a.seed, "n_customers": a.customers, "n_lines": a.lines}
    if a.industry:
        kwargs["industry"] = a.industry
    answers = a.answers or a.dir.parent / f"{a.dir.name}-answers"
    info = sample.generate_sample(
        a.dir,
        language=a.language,
        answer_key_dir=answers,
        key_name=a.dir.name,
        hostile_names=False,
        **kwargs,
    )
    print(f"Sample company written to {a.dir}. Run it: kamaudit run {a.dir / 'engagement.yaml'}")
    print(f"Its answer key, for the trainer only: {info.answer_key_path}")
    return 0


def cmd_reveal(a: argparse.Namespace) -> int:
    from .reveal import reveal

    res = reveal(a.pack, a.audits, a.out, language=a.language)
    print(
        f"Debrief of {res.groups} audit(s) in {a.out}: {res.found} of {res.planted} planted "
        "customers found."
    )
    print(f"  report:   {res.html}\n  workbook: {res.workbook}\n  data:     {res.data}")
    print(f"  answer sheets: {res.html.parent / 'answer_sheets'}")
    for note in res.notes:
        print(f"  note: {note}")
    return 0


def cmd_batch(a: argparse.Namespace) -> int:
    from .batch import run_batch

    summary = run_batch(
        a.items,
        out_dir=a.out,
        jobs=a.jobs,
        scheduler=a.scheduler,
        force=a.force,
        only_failed=a.only_failed,
        timeout=a.timeout,
        overrides=a.param,
        progress=not a.no_progress,
    )
    print(summary.text())
    return 0 if summary.ok else 1


COMMANDS = {
    "run": cmd_run,
    "validate": cmd_validate,
    "init": cmd_init,
    "sample": cmd_sample,
    "batch": cmd_batch,
    "reveal": cmd_reveal,
}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    a = parser.parse_args(argv)
    if not a.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[a.command](a)
    except KamAuditError as exc:
        if a.debug:
            raise
        print(f"kamaudit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"kamaudit: {exc or 'interrupted.'}", file=sys.stderr)
        return 130
    except OSError as exc:
        if a.debug:
            raise
        from .ownership import os_error_sentence

        print(f"kamaudit: {os_error_sentence(exc, '', 'running')}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - one sentence, traceback with --debug
        if a.debug:
            raise
        print(
            f"kamaudit: unexpected {type(exc).__name__}: {exc} (run with --debug for the "
            "traceback, and please report it).",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
