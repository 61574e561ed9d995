#!/usr/bin/env python3
"""Check the hand-written headers of the real-derivation corpus in tests/real/.

Every document in tests/real/ (NNN-slug.md or NNN-slug.tex) starts with a TOML
header (an HTML comment in .md files, a block of "% " lines in .tex files).
This script parses each header and checks, with plain SymPy only:

* the required fields are there and well formed;
* ``first_wrong_line`` is given exactly for "wrong" documents and points at a
  non-empty line of the author's text (below the header);
* for every parameter in ``wrt``, ``truth[p]`` equals ``sympy.diff(L, p)``
  where L is the last ``let`` (each let is substituted into the next);
* ``claimed[p]`` (when present) differs from the derivative for a "wrong"
  document and equals it for a "correct" one.

Translation of symgrad's syntax: sigmoid(u) -> 1/(1+exp(-u)), relu(u) ->
Max(0, u), abs -> Abs, sign -> sign, max/min -> Max/Min.  Sums over examples,
``sum(E_i, i)`` and ``mean(E_i, i)``, are expanded over an explicit number N of
examples (names ending in ``_i`` become ``_1 ... _N``; the symbol ``n`` is the
number of examples), once with N = 3 and once with N = 4; a derivative identity
that holds for both is the per-example identity the header states.

Equality is decided by agreement at 20 random points (``simplify(a - b) == 0``
is the fallback when too few points can be evaluated) (negative values included; points closer than 0.02 to a
kink of abs/sign/max/min/Heaviside are rejected).  An optional header field
``where = ["0 < yhat", "yhat < 1"]`` restricts the random points (domains of
log); ``claimed_where`` restricts them further for the ``claimed`` check only
(a claim the author made for one region of a piecewise result).  When ``at`` is given, its values are
substituted before comparing (needed when the author's claim is a number).

Exit status 0 when every file passes; otherwise 1, naming each failing file.
It is fine for this test script to use sympy.parse_expr on these trusted
header strings.
"""
from __future__ import annotations

import random
import re
import sys
import tomllib
import zlib
from pathlib import Path

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

HERE = Path(__file__).resolve().parent
NAME_RE = re.compile(r"^(\d{3})-[a-z0-9-]+\.(md|tex)$")
IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FUNCS = {"abs", "sign", "exp", "log", "sqrt", "sigmoid", "tanh", "relu", "max", "min",
         "sum", "mean"}
REQUIRED = ["source", "author_role", "title", "let", "wrt", "verdict", "notation", "truth"]
ROLES = {"question", "answer", "course-notes", "blog", "other"}
N_VALUES = (3, 4)
POINTS = 20


class HeaderError(Exception):
    pass


# ---------------------------------------------------------------- header --
def read_header(path: Path) -> tuple[dict, int, list[str]]:
    """Return (header dict, number of header lines, all lines of the file)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if path.suffix == ".md":
        if lines[0].strip() != "<!--":
            raise HeaderError("a .md file must start with a line '<!--'")
        try:
            end = next(k for k, line in enumerate(lines) if line.strip() == "-->")
        except StopIteration:
            raise HeaderError("no closing '-->' line") from None
        toml_text = "\n".join(lines[1:end])
        nheader = end + 1
    else:
        k = 0
        body = []
        while k < len(lines) and lines[k].startswith("%"):
            body.append(lines[k][2:] if lines[k].startswith("% ") else lines[k][1:])
            k += 1
        if not body:
            raise HeaderError("a .tex file must start with '% ' header lines")
        toml_text = "\n".join(body)
        nheader = k
    try:
        header = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise HeaderError(f"header is not valid TOML: {exc}") from None
    return header, nheader, lines


# ------------------------------------------------------------ expressions --
def _split_args(s: str) -> list[str]:
    depth, cur, out = 0, "", []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [a.strip() for a in out]


def expand_sums(src: str, n: int) -> str:
    """Rewrite sum(E, i) / mean(E, i) as an explicit n-term sum (textually)."""
    pat = re.compile(r"\b(sum|mean)\(")
    while True:
        m = pat.search(src)
        if not m:
            return src
        start = m.end()
        depth = 1
        k = start
        while depth:
            if src[k] == "(":
                depth += 1
            elif src[k] == ")":
                depth -= 1
            k += 1
        inner = src[start:k - 1]
        args = _split_args(inner)
        if len(args) != 2:
            raise HeaderError(f"{m.group(1)}() needs (EXPR, index): {inner!r}")
        body, idx = args
        body = expand_sums(body, n)
        terms = []
        for j in range(1, n + 1):
            terms.append("(" + re.sub(rf"\b([A-Za-z][A-Za-z0-9]*)_{idx}\b", rf"\g<1>_{j}", body) + ")")
        total = "(" + " + ".join(terms) + ")"
        if m.group(1) == "mean":
            total = f"({total}/{n})"
        src = src[:m.start()] + total + src[k:]


class Ctx:
    """Parses symgrad-syntax strings into SymPy with all names real symbols."""

    def __init__(self, n: int):
        self.n = n
        self.symbols: dict[str, sp.Symbol] = {}

    def sym(self, name: str) -> sp.Symbol:
        if name not in self.symbols:
            self.symbols[name] = sp.Symbol(name, real=True)
        return self.symbols[name]

    def parse(self, src: str, lets: dict[str, sp.Expr] | None = None) -> sp.Expr:
        src = str(src)
        src = expand_sums(src, self.n).replace("^", "**")
        local = {
            "abs": sp.Abs, "sign": sp.sign, "exp": sp.exp, "log": sp.log,
            "sqrt": sp.sqrt, "tanh": sp.tanh, "max": sp.Max, "min": sp.Min,
            "sigmoid": lambda u: 1 / (1 + sp.exp(-u)),
            "relu": lambda u: sp.Max(0, u),
        }
        for name in set(IDENT_RE.findall(src)):
            if name in local:
                continue
            if name == "n":
                local[name] = sp.Integer(self.n)
            else:
                local[name] = self.sym(name)
        expr = parse_expr(src, local_dict=local, transformations=standard_transformations,
                          evaluate=True)
        if lets:
            expr = expr.xreplace({self.sym(k): v for k, v in lets.items()})
        return sp.sympify(expr)


def build_lets(ctx: Ctx, lets: list[str]) -> tuple[dict[str, sp.Expr], sp.Expr]:
    defined: dict[str, sp.Expr] = {}
    last = None
    for item in lets:
        if "=" not in item:
            raise HeaderError(f"let entry without '=': {item!r}")
        name, rhs = item.split("=", 1)
        name = name.strip()
        if not IDENT_RE.fullmatch(name) or name in FUNCS:
            raise HeaderError(f"bad let name {name!r}")
        expr = ctx.parse(rhs, defined)
        # names ending in _i inside a let are per-example: expand each copy
        if name.endswith("_i"):
            for j in range(1, ctx.n + 1):
                sub = {ctx.sym(s.name): ctx.sym(s.name[:-2] + f"_{j}")
                       for s in expr.free_symbols if s.name.endswith("_i")}
                defined[name[:-2] + f"_{j}"] = expr.xreplace(sub)
            defined[name] = expr
        else:
            defined[name] = expr
        last = name
    return defined, defined[last]


# ------------------------------------------------------------- comparison --
KINK_TYPES = (sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min)


def kink_args(expr: sp.Expr) -> list[sp.Expr]:
    out = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            out.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)):
            a = node.args
            for i in range(len(a)):
                for j in range(i + 1, len(a)):
                    out.append(a[i] - a[j])
    return out


def sample_points(free: list[sp.Symbol], constraints: list, kinks: list, rng: random.Random,
                  count: int = POINTS) -> list[dict]:
    pts = []
    tries = 0
    cfun = [sp.lambdify(free, c, "math") for c in constraints] if free else []
    kfun = [sp.lambdify(free, k, "math") for k in kinks] if free else []
    while len(pts) < count:
        tries += 1
        if tries > 20000:
            raise HeaderError("could not sample points satisfying the `where` constraints")
        vals = [rng.uniform(-3, 3) for _ in free]
        if tries % 3 == 0:  # some points in a narrow band, for probabilities etc.
            vals = [rng.uniform(-1, 1) for _ in free]
        try:
            if not all(bool(f(*vals)) for f in cfun):
                continue
            if any(abs(complex(f(*vals))) < 0.02 for f in kfun):
                continue
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            continue
        pts.append(dict(zip(free, vals)))
    return pts


def numeric_equal(a: sp.Expr, b: sp.Expr, constraints: list, rng: random.Random,
                  rtol: float, atol: float) -> bool:
    free = sorted((a.free_symbols | b.free_symbols), key=lambda s: s.name)
    kinks = kink_args(a) + kink_args(b)
    if not free:
        va, vb = complex(sp.N(a)), complex(sp.N(b))
        return abs(va - vb) <= atol + rtol * max(abs(va), abs(vb))
    pts = sample_points(free, constraints, kinks, rng)
    fa = sp.lambdify(free, a, modules=["mpmath"])
    fb = sp.lambdify(free, b, modules=["mpmath"])
    good = 0
    for p in pts:
        args = [p[s] for s in free]
        try:
            va, vb = complex(fa(*args)), complex(fb(*args))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            continue
        good += 1
        if abs(va - vb) > atol + rtol * max(abs(va), abs(vb)):
            return False
    if good < POINTS // 2:
        raise HeaderError("too few points could be evaluated")
    return True


def equal(a: sp.Expr, b: sp.Expr, constraints: list, rng: random.Random,
          rtol: float = 1e-9, atol: float = 1e-9) -> bool:
    """Agreement at random points; simplify(a - b) == 0 only if too few points evaluate."""
    try:
        return numeric_equal(a, b, constraints, rng, rtol, atol)
    except HeaderError:
        if sp.simplify(a - b) == 0:
            return True
        raise


# ------------------------------------------------------------ the checks --
def check_file(path: Path) -> list[str]:
    problems: list[str] = []
    header, nheader, lines = read_header(path)
    for key in REQUIRED:
        if key not in header:
            problems.append(f"missing header field {key!r}")
    if problems:
        return problems
    if header["author_role"] not in ROLES:
        problems.append(f"author_role {header['author_role']!r} not one of {sorted(ROLES)}")
    verdict = header["verdict"]
    if verdict not in ("correct", "wrong"):
        problems.append(f"verdict must be 'correct' or 'wrong', not {verdict!r}")
    if not str(header["source"]).startswith(("http://", "https://")):
        problems.append("source is not an address")
    fwl = header.get("first_wrong_line")
    if verdict == "wrong" and not str(header.get("mistake", "")).strip():
        problems.append("a wrong document needs a `mistake` description")
    if verdict == "wrong":
        if not isinstance(fwl, int):
            problems.append("a wrong document needs an integer first_wrong_line")
        elif not (nheader < fwl <= len(lines)) or not lines[fwl - 1].strip():
            problems.append(f"first_wrong_line {fwl} is not a non-empty line of the text "
                            f"(header ends at line {nheader}, file has {len(lines)} lines)")
    elif fwl is not None:
        problems.append("a correct document must not have first_wrong_line")
    wrt = list(header["wrt"])
    truth = dict(header["truth"])
    claimed = dict(header.get("claimed", {}))
    if set(truth) != set(wrt):
        problems.append(f"truth keys {sorted(truth)} differ from wrt {sorted(wrt)}")
    if not set(claimed) <= set(wrt):
        problems.append(f"claimed keys {sorted(claimed)} not all in wrt")
    if problems:
        return problems

    rng = random.Random(zlib.crc32(path.name.encode()))
    indexed = [int(m.group(1)) for k in dict(header.get("at", {}))
               if (m := re.fullmatch(r"[A-Za-z][A-Za-z0-9]*_(\d+)", k))]
    n_values = (max(indexed),) if indexed else N_VALUES
    for n in n_values:
        ctx = Ctx(n)
        lets, loss = build_lets(ctx, header["let"])
        at = {ctx.sym(k): sp.nsimplify(v) if isinstance(v, int) else sp.Float(v)
              for k, v in dict(header.get("at", {})).items()}
        where = [ctx.parse(c, lets).xreplace(at) for c in header.get("where", [])]
        cwhere = where + [ctx.parse(c, lets).xreplace(at) for c in header.get("claimed_where", [])]
        for p in wrt:
            ps = ctx.sym(p)
            if ps not in loss.free_symbols:
                problems.append(f"[N={n}] loss does not depend on {p}")
                continue
            d = sp.diff(loss, ps)
            t = ctx.parse(truth[p], lets)
            if not equal(d.xreplace(at), t.xreplace(at), where, rng):
                problems.append(f"[N={n}] truth[{p}] = {truth[p]!r} is not dL/d{p} = {sp.simplify(d)}")
            if p in claimed:
                c = ctx.parse(claimed[p], lets).xreplace(at)
                loose = not c.free_symbols
                same = equal(d.xreplace(at), c, cwhere, rng,
                             rtol=5e-3 if loose else 1e-9, atol=2e-3 if loose else 1e-9)
                if verdict == "wrong" and same:
                    problems.append(f"[N={n}] claimed[{p}] equals the true derivative "
                                    "but the verdict is 'wrong'")
                if verdict == "correct" and not same:
                    problems.append(f"[N={n}] claimed[{p}] = {claimed[p]!r} differs from the "
                                    "true derivative but the verdict is 'correct'")
        if not any("_i" in s for s in header["let"]):
            break  # no sums: one N is enough
    return problems


def corpus_files() -> list[Path]:
    return sorted(p for p in HERE.iterdir() if NAME_RE.match(p.name))


def run(verbose: bool = True) -> dict[str, list[str]]:
    failures: dict[str, list[str]] = {}
    files = corpus_files()
    numbers = [NAME_RE.match(p.name).group(1) for p in files]
    if len(set(numbers)) != len(numbers):
        failures["(corpus)"] = ["two files share a number"]
    for path in files:
        try:
            problems = check_file(path)
        except HeaderError as exc:
            problems = [str(exc)]
        except Exception as exc:  # noqa: BLE001 - report, never crash the run
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            failures[path.name] = problems
        if verbose:
            print(f"{'FAIL' if problems else 'ok  '} {path.name}")
            for pr in problems:
                print(f"       {pr}")
    if verbose:
        print(f"{len(files) - len(failures)} passed, {len(failures)} failed")
    return failures


def main() -> int:
    failures = run()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
