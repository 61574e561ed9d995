"""The command line: argument parsing and printing only; every feature lives in the API."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from symgrad.choices import EXTENSIONS, FORMAT_ALIASES, FORMATS
from symgrad.commands.options import PROBLEM_OPTIONS, add_problem_options, problem_of
from symgrad.errors import ParseError, SymgradError, UsageError
from symgrad.reader.examples import EXAMPLES

EPILOG_DERIVE = """\
examples:
  symgrad derive                                   # the built-in L1 example
  symgrad derive --example l1 --at 'y=7'           # the same, exactly on the kink
  symgrad derive --let 'yhat = m*x + 4' --let 'L = abs(y - yhat)' \\
                 --wrt m --at 'x=2, y=10, m=1.5' --lr 0.1 --format markdown
  symgrad derive problem.toml --format latex --standalone -o l1.tex
  symgrad derive --example l1 --symbolic             # no numbers: the formulas only
  symgrad derive --let 'yhat_i = m*x_i + b' --let 'J = mean((y_i - yhat_i)^2, i)' --wrt m,b
  symgrad derive --example network -o net.md -o net.tex -o net.html   # one run, 3 files
  symgrad derive --format md,tex,html -o l1          # l1.md, l1.tex, l1.html
  symgrad derive --detail brief --notation prime --graph --format md
  symgrad derive --templates my-templates --format md  # see 'symgrad templates'

without --at the derivation is symbolic; --at adds numbers at every step.

expressions: numbers (2, 1.5, 1e-3; decimals are exact), names (m, w1, net_h1,
yhat, Greek names such as eta), + - * / ^ **, parentheses, and the functions
abs sign exp log sqrt sigmoid tanh relu max min (symgrad list functions).
A loss over examples: J = mean(BODY, i) or sum(BODY, i), names ending _i
per example (y_i, x_i); or a per-example loss with --data and --reduce.

exit codes: 0 success, 2 bad input or usage (one line on stderr).
"""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message):  # noqa: D401 - argparse's name
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _time_limit_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--time-limit", type=float, default=120.0, metavar="SECONDS",
                   help="stop with a clear error (exit 2) after this many seconds (default 120; "
                   "0 for no limit)")


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole CLI; with ``command`` (derive, check or list), the commands of
    :mod:`symgrad.commands` are left out: importing their modules and building their parsers
    is a tenth of a plain ``symgrad derive``'s start-up beyond SymPy."""
    top = _Parser(
        prog="symgrad",
        description="Step-by-step, verified gradient derivations as text, Markdown, LaTeX, "
        "MathML/HTML and JSON.",
        epilog="run 'symgrad derive --help' for the derivation options",
    )
    top.add_argument("--version", action="version", version="symgrad 0.1.0")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    d = sub.add_parser(
        "derive", help="derive a gradient step by step (no options: the built-in L1 example)",
        description="Derive the gradient of a loss, one named rule at a time, with numbers.",
        epilog=EPILOG_DERIVE, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_problem_options(d, [n for n, _, _ in PROBLEM_OPTIONS if n != "title"])
    d.add_argument("--format", metavar="F[,F...]",
                   help=f"output format(s): {', '.join(FORMATS)} (or {', '.join(FORMAT_ALIASES)}); "
                   "several, comma-separated, are rendered from one derivation (default text, "
                   "or from each -o file's extension)")
    d.add_argument("--standalone", action="store_true", help="with latex: a whole document for pdflatex")
    add_problem_options(d, ["title"], file=False)
    d.add_argument("--width", type=int, metavar="N",
                   help="widest displayed equation row, in characters of rendered math (default "
                   "64); longer equations break into aligned rows in LaTeX, Markdown and HTML")
    d.add_argument("--heading", choices=["section", "subsection", "none"], default="section",
                   help="the LaTeX fragment's title level: section (parts are subsections), "
                   "subsection (parts are subsubsections) or none (no title line)")
    d.add_argument("--detail", choices=["full", "normal", "brief"], default="normal",
                   help="rule steps shown: full (even d/dm m = 1), normal (default), brief "
                   "(only rules beyond elementary calculus: sign, indicators, kinks, activations)")
    d.add_argument("--numbered", action="store_true",
                   help="with latex: number every displayed equation")
    d.add_argument("--notation", choices=["leibniz", "prime"], default="leibniz",
                   help="derivatives as dL/dm (default) or, where one name varies, L'(m)")
    d.add_argument("--graph", action="store_true", help="draw the computation graph after the "
                   "problem: TikZ in latex, Mermaid in markdown, SVG in html")
    d.add_argument("--templates", metavar="DIR", help="a folder of your own templates named like "
                   "the built-in ones, which they replace (start with 'symgrad templates export DIR')")
    d.add_argument("--template", metavar="FILE", help="one template file replacing the built-in "
                   "one of its format (NAME.md.j2, .tex.j2, .html.j2, .txt.j2)")
    _time_limit_option(d)
    d.add_argument("-o", "--output", metavar="FILE", action="append", default=[],
                   help="write to FILE instead of standard output; repeat for several files "
                   "(the format is taken from each extension: .txt .md .tex .html .json), or "
                   "give one base name with several --format values")

    c = sub.add_parser(
        "check", help="check a hand-written derivation line by line",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_paragraphs(
            "Read a derivation written by hand (LaTeX or a whole .tex file, Markdown with $...$ "
            "and $$...$$, or plain text), check every line against the problem's true "
            "derivative, and name the first wrong step and the kind of mistake.",
            "The problem: --let/--wrt (or --example, or --problem FILE.toml). With none of "
            "these, symgrad reads the definitions the document states itself (L = ..., "
            "J(theta) = ...) and lists them in the report. A loss over examples (mean(...), "
            "sum(...)) is checked on three numbered copies of its per-example names, so the "
            "author's \\sum_{i=1}^m and x^{(i)} are read term by term; --at may give some "
            "inputs only.",
            "Exit codes: 0 at least one line was checked and every line is right; 1 a wrong "
            "line was found (unreadable lines are listed too); 2 usage errors, an unreadable "
            "line and no wrong one, or nothing to check (no derivation found).",
        ),
        epilog="examples:\n"
        "  symgrad check hand.tex --example l1\n"
        "  symgrad check notes.md --let 'yhat = m*x + b' --let 'L = (y - yhat)^2' --wrt m,b\n"
        "  symgrad check answer.md --let 'J = mean((m*x_i + b - y_i)^2, i)' --wrt m\n"
        "  symgrad check answer.md            # the problem as the document defines it\n"
        "  symgrad check *.tex --example l1 --format json",
    )
    c.add_argument("hand_files", nargs="+", metavar="HAND_FILE",
                   help="the derivation ('-' reads stdin)")
    c.add_argument("--problem", metavar="PROBLEM.toml",
                   help="a problem file (the same keys as for derive)")
    for flag, meta in (("--example", "NAME"), ("--loss", "NAME"), ("--at", "'k=v, k=v'"),
                       ("--lr", "ETA"), ("--convention", "NAME")):
        c.add_argument(flag, metavar=meta, help=f"as for derive ({flag})")
    c.add_argument("--let", dest="lets", action="append", default=[], metavar="'NAME = EXPR'",
                   help="a named quantity, as for derive")
    c.add_argument("--wrt", action="append", metavar="P[,P...]", help="as for derive")
    c.add_argument("--format", default="text", choices=["text", "json"],
                   help="output format (default text)")
    _time_limit_option(c)

    lst = sub.add_parser("list", help="list examples, conventions, rules or functions",
                         description="List what symgrad knows.")
    lst.add_argument("what", nargs="?", default="all",
                     choices=["all", "losses", "activations", "examples", "conventions", "rules",
                              "functions"])
    if command not in ("derive", "check", "list"):
        from symgrad.commands import add_commands

        add_commands(sub)
    return top


def _paragraphs(*texts: str) -> str:
    """Help text kept in paragraphs (argparse's raw formatter does not wrap)."""
    import textwrap

    return "\n\n".join(textwrap.fill(t, 78) for t in texts)


def _format(name: str, where: str) -> str:
    key = FORMAT_ALIASES.get(name.strip(), name.strip())
    if key not in FORMATS:
        known = ", ".join(FORMATS) + " (or " + ", ".join(FORMAT_ALIASES) + ")"
        raise UsageError(f"{where}: unknown format {name.strip()!r} (known: {known})")
    return key


def _outputs(args) -> list[tuple[str, str | None]]:
    """(format, file or None for stdout) for each output the options ask for."""
    formats = [_format(f, "--format") for f in args.format.split(",")] if args.format else []
    files = list(args.output)
    if not files:
        formats = formats or ["text"]
        if len(formats) > 1:
            raise UsageError("several formats need files: give -o FILE for each, or one -o BASE")
        return [(formats[0], None)]
    if not formats:
        out = []
        for f in files:
            ext = Path(f).suffix.lstrip(".").lower()
            if not ext:
                raise UsageError(f"-o {f}: no extension to take the format from; give --format")
            out.append((_format(ext, f"-o {f}"), f))
        return out
    if len(files) == len(formats):
        return list(zip(formats, files))
    if len(files) == 1:
        base = Path(files[0])
        if base.suffix.lstrip(".").lower() in (*FORMATS, *FORMAT_ALIASES):
            base = base.with_suffix("")
        names = [str(base) + EXTENSIONS[f] for f in formats]
        if len(set(names)) != len(names):
            raise UsageError("two formats would write the same file (html and mathml); give one")
        return list(zip(formats, names))
    raise UsageError(f"{len(formats)} formats and {len(files)} -o files: give one file per "
                     "format, or one base name")


def _cmd_derive(args) -> tuple[list[tuple[str | None, str]], list[str]]:
    """Derive once and render each requested format: ([(file or None, text)], failed checks)."""
    from symgrad import api
    from symgrad.rendering import render_many

    outputs = _outputs(args)
    if args.standalone and not any(f == "latex" for f, _ in outputs):
        raise UsageError("--standalone goes with the latex format")
    problem = problem_of(args)
    derivation = api.derive(problem)
    texts = render_many(derivation, [f for f, _ in outputs], standalone=args.standalone,
                        heading=args.heading, width=args.width, templates=args.templates,
                        template=args.template, detail=args.detail, numbered=args.numbered,
                        graph=args.graph, notation=args.notation)
    failed = [f"{v.param}: {v.note}" for v in derivation.verification
              if not (v.sympy and v.finite_difference is not False)]
    return [(path, text) for (_, path), text in zip(outputs, texts)], failed


def _read_hand_file(path: str) -> str:
    from symgrad.checking.handlex import MAX_CHARS

    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_CHARS + 1)
        else:
            with open(path, "rb") as f:
                raw = f.read(MAX_CHARS + 1)
    except OSError as e:
        raise UsageError(f"cannot read {path!r}: {e.strerror}") from None
    if len(raw) > MAX_CHARS:
        raise ParseError(f"larger than {MAX_CHARS} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ParseError(f"not UTF-8 text (byte {e.start + 1}); binary input is refused") from None


def _cmd_check(args) -> int:
    """Check each hand file; reports on stdout, one line per file that is not judged on stderr.

    Exit code: 1 when any file has a wrong line; else 2 when any file is unreadable, has
    nothing to check, or cannot be read; else 0.
    """
    from symgrad import api
    from symgrad.checking import check, problem_for_check

    opts = {"example": args.example, "lets": args.lets, "wrt": args.wrt, "at": args.at,
            "loss": args.loss, "lr": args.lr, "convention": args.convention}
    if args.problem:
        opts = api.problem_file_options(args.problem, **opts)
    given = bool(opts.get("lets") or opts.get("example"))
    problem = problem_for_check(**opts) if given else None  # usage errors before any file
    reports, failed, out = [], 0, []
    for path in args.hand_files:
        name = "<stdin>" if path == "-" else path
        try:
            text = _read_hand_file(path)
            if problem is not None:
                report = check(text, problem[0], name=name, examples=problem[1])
            else:
                report = check(text, name=name, **opts)
        except (ParseError, UsageError) as e:
            print(f"symgrad: error: {path}: {e.one_line()}", file=sys.stderr)
            failed += 1
            continue
        if report.status == "unreadable":
            bad = next(r for r in report.lines if r.verdict == "unreadable")
            print(f"symgrad: error: {path}: {bad.diagnosis.explanation}", file=sys.stderr)
        elif report.status == "nothing-checked":
            print(f"symgrad: error: {path}: no derivation found: no line states a derivative "
                  "or a value to check", file=sys.stderr)
        reports.append(report)
        out.append(report.render(args.format))
    correct = sum(r.ok for r in reports)
    wrong = sum(r.status == "wrong" for r in reports)
    unreadable = failed + sum(r.status in ("unreadable", "nothing-checked") for r in reports)
    if args.format == "json":
        data = [r.to_dict() for r in reports]
        if len(args.hand_files) > 1:
            summary = {"files": len(args.hand_files), "correct": correct, "with_errors": wrong,
                       "not_judged": unreadable}
            data = {"files": data, "summary": summary}
        elif data:
            data = data[0]
        if data:
            import json

            sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        if len(args.hand_files) > 1:
            n = len(args.hand_files)
            tail = f", {unreadable} not judged" if unreadable else ""
            out.append(f"{n} files: {correct} correct, {wrong} with errors{tail}\n")
        sys.stdout.write("\n".join(out))
    return 1 if wrong else 2 if unreadable or not reports else 0


def _cmd_list(what: str) -> str:
    out = []
    if what in ("all", "losses"):
        from symgrad.reader.losses import LOSSES

        out.append("losses (usable by name in expressions; each is written out in primitives):")
        for loss in LOSSES.values():
            names = ", ".join((loss.name, *loss.aliases))
            out.append(f"  {names}({', '.join(loss.args)})")
            out.append(f"      formula:    {loss.formula}")
            out.append(f"      kinks:      {loss.kinks}")
            out.append(f"      derivative: {loss.derivative}")
    if what in ("all", "activations"):
        from symgrad.reader.examples import ACTIVATIONS

        out.append("activations and other functions with kinks:")
        for call, formula, kinks, derivative in ACTIVATIONS:
            out.append(f"  {call}")
            out.append(f"      formula:    {formula}")
            out.append(f"      kinks:      {kinks}")
            out.append(f"      derivative: {derivative}")
    if what in ("all", "examples"):
        out.append("examples (symgrad derive --example NAME):")
        out += [f"  {e.name:<14}{e.summary}" for e in EXAMPLES.values()]
    if what in ("all", "conventions"):
        from symgrad.numbers.conventions import CONVENTION_TEXT, Convention

        out.append("conventions (--convention NAME), what each picks at a kink:")
        out += [f"  {c.value:<16}{CONVENTION_TEXT[c]}" for c in Convention]
    if what in ("all", "rules"):
        out.append("rules (each step of a derivation names one):")
        import re

        from symgrad.derivation.rules import Rule
        from symgrad.rendering.templates import _sentences, tex_to_plain  # wording: templates

        for rule in Rule:
            text = _sentences()["rules"].get(rule.value)
            if text:
                plain = re.sub(r"\$([^$]+)\$", lambda m: tex_to_plain(m.group(1)), text)
                out.append(f"  {rule.value:<24}{plain.replace('{var}', 'x')}")
    if what in ("all", "functions"):
        from symgrad.reader.expression import FUNCTIONS

        out.append("functions usable in expressions:")
        out.append("  " + ", ".join(sorted(FUNCTIONS)))
    return "\n".join(out) + "\n"


def _settle_start_up() -> None:
    """Import SymPy (and the tensor module its first sum imports anyway), then move every
    object alive so far out of the garbage collector's sight (``gc.freeze``): SymPy's
    hundreds of thousands of import-time objects live as long as the process, yet each full
    collection during the run walked them all again (6% of a ``symgrad derive`` run, by
    instruction count). Only for a process the command line owns: a program calling
    :func:`main` keeps its collector as it was."""
    import gc

    import sympy.tensor.tensor  # noqa: F401

    gc.freeze()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    words = sys.argv[1:] if argv is None else argv
    parser = _parser(words[0] if words else None)
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        if args.command == "list":
            sys.stdout.write(_cmd_list(args.what))
            return 0
        if argv is None:  # the process is the command line's (the console script, python -m)
            _settle_start_up()
        if getattr(args, "run", None) is not None:  # the commands of symgrad.commands
            return args.run(args)
        from symgrad.budget import time_limit

        if args.command == "check":
            with time_limit(args.time_limit):
                return _cmd_check(args)
        with time_limit(args.time_limit):
            written, failed = _cmd_derive(args)
        for path, text in written:
            if path is None:
                sys.stdout.write(text)
                continue
            try:
                Path(path).write_text(text, encoding="utf-8")
            except OSError as e:
                raise UsageError(f"cannot write {path!r}: {e.strerror}") from None
        if failed:  # the output is written (to be looked at) but it is not to be trusted
            print(f"symgrad: error: verification failed ({'; '.join(failed)}); this is a bug in "
                  "symgrad, please report this input", file=sys.stderr)
            return 3
        return 0
    except ParseError as e:
        print(f"symgrad: error: {e.one_line()}", file=sys.stderr)
        return 2
    except SymgradError as e:
        print(f"symgrad: error: {e.one_line()}", file=sys.stderr)
        return 2
    except RecursionError:
        print("symgrad: error: the input is nested too deeply", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug in symgrad: still one line, never a traceback for users
        print(f"symgrad: internal error: {type(e).__name__}: {e} (please report this input)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
