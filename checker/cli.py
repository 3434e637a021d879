"""The command line: ``mathcheck catalog | show | ...`` (also ``python -m checker``).

Exit status: 0 when nothing is wrong, 1 when something is, 2 for a usage error or an
unreadable input. A user's mistake gets one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

from checker import __version__
from checker.engine import DEFAULT_TIMEOUT
from checker.errors import MathcheckError, UsageError

EXIT_OK, EXIT_WRONG, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so every usage error is reported alike."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mathcheck",
        description="Check the mathematics of machine learning: a catalog of formulas verified "
                    "symbolically, numerically and by finite differences.",
    )
    parser.add_argument("--version", action="version", version=f"mathcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    chk = sub.add_parser("check", help="check the equations of notes (Markdown, LaTeX, notebooks)",
                         description="Check every equation of notes files or folders (Markdown, LaTeX, "
                                     "Jupyter notebooks; '-' reads standard input). A wrong equation is "
                                     "reported with file, line and a counterexample. Exit status: 0 when "
                                     "nothing is wrong, 1 when something is, 2 for a usage error or an "
                                     "unreadable file.")
    chk.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to check; '-' for stdin")
    chk.add_argument("--format", choices=("text", "json", "junit", "github"), default="text",
                     help="report format (default: text)")
    chk.add_argument("--output", "-o", metavar="FILE", default=None, help="write the report to FILE")
    chk.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                     help="unparsed or inconclusive equations also fail (default: the configuration's "
                          "'strict', else off; --no-strict overrides a configured 'strict = true')")
    chk.add_argument("--seed", type=int, default=None, help="seed of the sampled points (default: 0)")
    chk.add_argument("--timeout", type=float, default=None, metavar="S",
                     help=f"time budget of each equation in seconds (default: {DEFAULT_TIMEOUT:g})")
    chk.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                     help="worker processes (default: the number of cores)")
    chk.add_argument("--no-cache", action="store_true", help="neither read nor write the verdict cache")
    chk.add_argument("--cache-dir", default=None, metavar="DIR",
                     help="where the verdict cache lives (default: .mathcheck_cache)")
    chk.add_argument("--memory", type=float, default=None, metavar="MB",
                     help="memory budget of each worker process in MB: how much address space a check may "
                          "add (default: 4096)")

    cat = sub.add_parser("catalog", help="verify every formula of the catalog",
                         description="Verify every formula of the catalog (or those chosen) and "
                                     "report status, methods and worst error. Exit 1 if a check fails.")
    cat.add_argument("--id", dest="ids", nargs="+", action="extend", metavar="ID", default=None,
                     help="only these formula ids (e.g. act.sigmoid_derivative)")
    cat.add_argument("--topic", dest="topics", nargs="+", action="extend", metavar="T", default=None,
                     help="only these topics (e.g. 'Losses'; case-insensitive prefix)")
    cat.add_argument("--jobs", "-j", type=int, default=_default_jobs(), metavar="N",
                     help="worker processes (default: the number of cores)")
    _common(cat)

    show = sub.add_parser("show", help="one formula: LaTeX, SymPy, sources, checks",
                          description="Show one formula of the catalog with its checks and their verdicts.")
    show.add_argument("id", metavar="ID", help="the formula id, e.g. act.sigmoid_derivative")
    _common(show)

    sheet = sub.add_parser("sheet", help="the cheat sheet: LaTeX, PDF or Markdown of the checked catalog",
                           description="Write a cheat sheet of the catalog in which every formula was "
                                       "checked in this run, grouped by topic, each with how it was verified. "
                                       "The output kind follows the file name: .tex, .pdf (needs latexmk or "
                                       "pdflatex) or .md.")
    sheet.add_argument("-o", "--output", required=True, metavar="FILE", help="sheet.tex, sheet.pdf or sheet.md")
    sheet.add_argument("--topic", dest="topics", nargs="+", action="extend", metavar="T", default=None,
                       help="only these topics (case-insensitive prefix)")
    sheet.add_argument("--with-derivations", action="store_true", help="append the derivations")
    sheet.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size (default: a4)")
    sheet.add_argument("--portrait", action="store_true", help="portrait instead of landscape")
    sheet.add_argument("--columns", type=int, choices=(1, 2, 3), default=3, help="columns (default: 3)")
    sheet.add_argument("--seed", type=int, default=0, help="seed of the sampled points (default: 0)")
    sheet.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                       help=f"time budget of each symbolic step in seconds (default: {DEFAULT_TIMEOUT:g})")

    derive = sub.add_parser("derive", help="a derivation, step by step, each step's verdict",
                            description="Check a derivation step by step and print each step with its "
                                        "verdict, or (--latex) an align* block with the rules.")
    derive.add_argument("id", metavar="ID", nargs="?", help="the derivation id, e.g. sigmoid_derivative")
    derive.add_argument("--latex", action="store_true", help="print a LaTeX align* block")
    derive.add_argument("--list", action="store_true", help="list the derivation ids")
    _common(derive)
    return parser


def _default_jobs() -> int:
    import os

    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampled points (default: 0)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                   help=f"time budget of each symbolic step in seconds (default: {DEFAULT_TIMEOUT:g})")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        if (getattr(args, "timeout", 1.0) or 1.0) <= 0:
            raise UsageError("--timeout must be a positive number of seconds")
        if args.command == "check":
            return _check(args)
        if args.command == "catalog":
            return _catalog(args, sys.stdout)
        if args.command == "show":
            return _show(args, sys.stdout)
        if args.command == "derive":
            return _derive(args, sys.stdout)
        if args.command == "sheet":
            return _sheet(args)
        raise UsageError(f"unknown command {args.command!r}")
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("Run 'mathcheck --help' for the commands and options.", file=sys.stderr)
        return EXIT_USAGE
    except MathcheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_WRONG


# --- check -----------------------------------------------------------------------------

def _check(args: argparse.Namespace) -> int:
    from checker import report
    from checker.cache import DEFAULT_DIR, VerdictCache
    from checker.config import discover
    from checker.errors import SourceError
    from checker.notation import Notation, ParseError, parse_latex
    from checker.budget import memory_limit, set_memory_limit
    from checker.notes import iter_sources
    from checker.notes_run import check_sources
    from checker.progress import Progress
    from checker.results import exit_status

    cfg = discover()
    strict = cfg.strict if args.strict is None else args.strict
    timeout = args.timeout if args.timeout is not None else cfg.timeout
    seed = args.seed if args.seed is not None else cfg.seed
    jobs = args.jobs if args.jobs is not None else (cfg.jobs or _default_jobs())
    if timeout <= 0 or jobs < 1:
        raise UsageError("--timeout must be positive and --jobs at least 1")
    notation = Notation(log_base=cfg.log, sigma="sigmoid" if cfg.sigma == "sigmoid" else "symbol")
    assumptions = []
    for text in cfg.assume:
        try:
            parsed = parse_latex(text, notation=notation)
        except ParseError as exc:
            raise UsageError(f"{cfg.source}: assume: cannot read {text!r}: {exc}") from None
        assumptions.extend(_relations(parsed))
    start = time.perf_counter()
    try:
        files = iter_sources(args.paths, include=cfg.include, exclude=cfg.exclude)
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    if args.memory is not None and args.memory <= 0:
        raise UsageError("--memory must be a positive number of megabytes")
    cache = None if args.no_cache else VerdictCache(args.cache_dir or DEFAULT_DIR)
    # a bar on stderr, only on a terminal, only past a second; never with a JSON (or piped) report
    quiet = args.format == "json" or bool(args.output is None and args.format != "text")
    progress = Progress(enabled=False if quiet else None)
    stdin = None
    if "-" in files:
        buffer = getattr(sys.stdin, "buffer", None)
        stdin = buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
    previous = memory_limit()
    if args.memory is not None:
        set_memory_limit(int(args.memory * 1024 * 1024))
    try:
        run = check_sources(files, stdin=stdin, notation=notation, assumptions=assumptions, seed=seed,
                            timeout=timeout, jobs=jobs, cache=cache, progress=progress)
    finally:
        progress.close()
        set_memory_limit(previous)
    results, errors, sources = run.results, run.errors, run.sources
    seconds = time.perf_counter() - start
    out: TextIO
    if args.output:
        try:
            out = open(args.output, "w", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        out = sys.stdout
    try:
        report.write(results, args.format, out, strict=strict, seconds=seconds if args.format == "text" else None,
                     sources=sources, errors=errors)
    finally:
        if args.output:
            out.close()
    if errors:
        for e in errors:
            if args.format != "text" or args.output:
                print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    return exit_status(results, strict=strict)


def _relations(parsed: Any) -> list[Any]:
    import sympy as sp

    ops = {"<": sp.StrictLessThan, "<=": sp.LessThan, ">": sp.StrictGreaterThan, ">=": sp.GreaterThan}
    out = []
    for a, b, rel in zip(parsed.sides, parsed.sides[1:], parsed.relations):
        if rel not in ops:
            raise UsageError(f"an assumption relates with <, <=, > or >=, not {rel!r}")
        out.append(ops[rel](a, b))
    return out


# --- catalog ---------------------------------------------------------------------------

def _select(args: argparse.Namespace) -> list[Any]:
    import formulas

    chosen = list(formulas.CATALOG.values())
    if args.ids:
        try:
            chosen = [formulas.get(i) for i in args.ids]
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from None
    if args.topics:
        wanted = [t.lower() for t in args.topics]
        unknown = [t for t in wanted if not any(x.lower().startswith(t) for x in formulas.TOPICS)]
        if unknown:
            raise UsageError(f"unknown topic {unknown[0]!r}; topics: {', '.join(formulas.TOPICS)}")
        chosen = [f for f in chosen if any(f.topic.lower().startswith(t) for t in wanted)]
    return chosen


class _Progress:
    """A one-line progress indicator on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        # the stream is looked up at call time: sys.stderr may have been replaced since import
        self.total, self.stream = total, stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self.start = time.monotonic()

    def update(self, done: int, label: str) -> None:
        if self.enabled and time.monotonic() - self.start > 1.0:
            self.stream.write(f"\r\x1b[K[{done}/{self.total}] {label}"[:100])
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _catalog(args: argparse.Namespace, out: TextIO) -> int:
    from checker.catalog import to_json, verify_catalog

    import derivations
    from checker.derivation import to_json as derivation_json

    chosen = _select(args)
    ids = {f.id for f in chosen}
    everything = not args.ids and not args.topics
    chosen_derivations = [d for d in derivations.DERIVATIONS.values()
                          if everything or ids.intersection(d.supports)]
    progress = _Progress(len(chosen) + len(chosen_derivations))
    start = time.perf_counter()
    results, derived = verify_catalog(chosen, chosen_derivations, seed=args.seed, timeout=args.timeout,
                                      jobs=args.jobs, progress=progress.update)
    progress.close()
    seconds = time.perf_counter() - start
    summary = {s: sum(1 for r in results if r.status == s) for s in ("verified", "finding", "inconclusive", "wrong")}
    summary["formulas"] = len(results)
    summary["derivations"] = len(derived)
    summary["derivations_verified"] = sum(1 for r in derived if r.ok)
    if args.format == "json":
        doc = {"tool": "mathcheck", "version": __version__, "seed": args.seed,
               "formulas": [to_json(r) for r in results],
               "derivations": [derivation_json(r) for r in derived], "summary": summary}
        json.dump(doc, out, indent=1, ensure_ascii=False)
        out.write("\n")
    else:
        _catalog_text(results, summary, seconds, out)
        _derivations_text(derived, out)
    ok = summary["inconclusive"] == 0 and summary["wrong"] == 0 and all(r.ok for r in derived)
    return EXIT_OK if ok else EXIT_WRONG


def _derivations_text(derived: list[Any], out: TextIO) -> None:
    if not derived:
        return
    good = sum(1 for r in derived if r.ok)
    out.write(f"{len(derived)} derivations: {good} with every step verified\n")
    for r in derived:
        if not r.ok:
            bad = [s for s in r.steps if s.verdict is not None and s.verdict.status.value != "verified"]
            for s in bad:
                out.write(f"  {r.derivation.id} step {s.index}: {s.verdict.status.value}: {s.verdict.reason or ''}\n")


def _fmt_err(e: float | None) -> str:
    return "-" if e is None else f"{e:.1e}"


def _catalog_text(results: list[Any], summary: dict[str, int], seconds: float, out: TextIO) -> None:
    rows = [(r.formula.id, r.formula.title, r.status, ", ".join(r.methods) or "-", _fmt_err(r.worst_error))
            for r in results]
    head = ("id", "title", "status", "methods", "worst error")
    widths = [max(len(h), *(len(row[k]) for row in rows)) if rows else len(h) for k, h in enumerate(head)]
    widths[1] = min(widths[1], 44)
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths))
    out.write(line + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        cells = [c if len(c) <= w else c[: w - 1] + "…" for c, w in zip(row, widths)]
        out.write("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() + "\n")
    problems = [r for r in results if r.status in ("inconclusive", "wrong")]
    findings = [(r, f) for r in results for f in r.findings]
    if findings:
        out.write("\nfindings (the documents are wrong as written):\n")
        for r, f in findings:
            out.write(f"  {r.formula.id}: {f.message}\n      {f.evidence['at']}\n")
            if f.evidence.get("note"):
                out.write(f"      ({f.evidence['note']})\n")
    for r in problems:
        out.write(f"\n{r.formula.id}: {r.status}\n")
        for named in r.checks + r.as_written:
            for c in named.result.checks:
                v = c.verdict
                if v.status.value != "verified":
                    out.write(f"  {named.name}/{c.name}: {v.status.value}: {v.reason or ''}\n")
                    if v.counterexample:
                        out.write(f"      {v.counterexample.describe()}\n")
    out.write(f"\n{summary['formulas']} formulas: {summary['verified']} verified, {summary['finding']} findings, "
              f"{summary['inconclusive']} inconclusive, {summary['wrong']} wrong in {seconds:.1f}s\n")


# --- sheet -----------------------------------------------------------------------------

def _sheet(args: argparse.Namespace) -> int:
    from pathlib import Path

    import derivations
    import formulas.plots
    from checker import sheet
    from checker.catalog import verify
    from checker.derivation import check_derivation

    output = Path(args.output)
    kind = output.suffix.lower()
    if kind not in (".tex", ".pdf", ".md"):
        raise UsageError(f"-o {args.output}: the file name must end in .tex, .pdf or .md")
    if kind == ".pdf" and sheet.find_engine() is None:
        print(f"error: {sheet.INSTALL_HINT}", file=sys.stderr)
        return EXIT_USAGE
    args.ids = None
    chosen = _select(args)
    progress = _Progress(len(chosen))
    results = []
    for n, f in enumerate(chosen, 1):
        progress.update(n, f.id)
        results.append(verify(f, seed=args.seed, timeout=args.timeout))
    derived = []
    if args.with_derivations:
        ids = {f.id for f in chosen}
        derived = [check_derivation(d, seed=args.seed, timeout=args.timeout)
                   for d in derivations.DERIVATIONS.values() if not args.topics or ids.intersection(d.supports)]
    progress.close()
    topics = {f.topic for f in chosen}
    plots = [(t, p) for t, p in formulas.plots.PLOTS if t in topics]
    if kind == ".md":
        text = sheet.to_markdown(results, derivations=derived)
    else:
        layout = sheet.Layout(paper=args.paper, landscape=not args.portrait, columns=args.columns)
        text = sheet.to_tex(results, layout=layout, plots=plots, derivations=derived)
    try:
        if kind == ".pdf":
            sheet.compile_pdf(text, output)
        else:
            output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    except sheet.TexFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WRONG
    bad = [r.formula.id for r in results if r.status not in ("verified", "finding")]
    print(f"wrote {output} ({len(results)} formulas"
          + (f", {len(derived)} derivations" if derived else "") + ")", file=sys.stderr)
    if bad:
        print(f"warning: not verified, marked as such on the sheet: {', '.join(bad)}", file=sys.stderr)
        return EXIT_WRONG
    return EXIT_OK


# --- derive ---------------------------------------------------------------------------

def _derive(args: argparse.Namespace, out: TextIO) -> int:
    import derivations
    from checker.derivation import check_derivation, to_json, to_latex

    if args.list or not args.id:
        if not args.list:
            raise UsageError("derive needs a derivation id (mathcheck derive --list shows them)")
        for d in derivations.DERIVATIONS.values():
            out.write(f"{d.id:32s} {d.title}\n")
        return EXIT_OK
    try:
        d = derivations.get(args.id)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    r = check_derivation(d, seed=args.seed, timeout=args.timeout)
    if args.latex:
        out.write(to_latex(r))
    elif args.format == "json":
        json.dump(to_json(r), out, indent=1, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(f"{d.id}: {d.title}\n  supports: {', '.join(d.supports)}\n")
        for s in r.steps:
            v = s.verdict
            status = "given" if v is None else v.status.value + (f" ({v.method.value})" if v.method else "")
            out.write(f"  [{s.index}] {s.latex}\n      by {s.rule}: {status}\n")
            if v is not None and v.status.value != "verified":
                out.write(f"      {v.reason or ''}\n")
                if v.counterexample:
                    out.write(f"      {v.counterexample.describe()}\n")
        n_ok = sum(1 for s in r.steps[1:] if s.verdict and s.verdict.status.value == "verified")
        out.write(f"{n_ok} of {len(r.steps) - 1} steps verified\n")
    return EXIT_OK if r.ok else EXIT_WRONG


# --- show ------------------------------------------------------------------------------

def _show(args: argparse.Namespace, out: TextIO) -> int:
    import formulas
    from checker.catalog import to_json, verify
    from checker.render import latex_of

    try:
        f = formulas.get(args.id)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    r = verify(f, seed=args.seed, timeout=args.timeout)
    if args.format == "json":
        json.dump(to_json(r), out, indent=1, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(f"{f.id}: {f.title}  [{r.status}]\n")
        out.write(f"  topic:   {f.topic}\n  sources: {'; '.join(f.sources)}\n")
        out.write(f"  LaTeX:   {getattr(f, 'latex', None) or latex_of(f.statement)}\n")
        out.write(f"  SymPy:   {f.statement}\n")
        if getattr(f, "notes", ""):
            out.write(f"  note:    {f.notes}\n")
        for title, group in (("checks", r.checks), ("as written in the documents", r.as_written)):
            if not group:
                continue
            out.write(f"  {title}:\n")
            for named in group:
                out.write(f"    {named.name} ({named.kind}){': ' + named.note if named.note else ''}\n")
                for c in named.result.checks:
                    v = c.verdict
                    extra = f" method={v.method.value}" if v.method else ""
                    if v.error is not None:
                        extra += f" error={v.error:.1e}"
                    out.write(f"      {c.name}: {v.status.value}{extra}\n")
                    if v.evidence and v.evidence.detail:
                        out.write(f"        {v.evidence.detail}\n")
                    if v.reason and v.status.value != "verified":
                        out.write(f"        {v.reason}\n")
                    if v.counterexample:
                        out.write(f"        {v.counterexample.describe()}\n")
        for finding in r.findings:
            out.write(f"  FINDING: {finding.message}\n    {finding.evidence['at']}\n")
    return EXIT_OK if r.status in ("verified", "finding") else EXIT_WRONG


__all__ = ["build_parser", "main"]
