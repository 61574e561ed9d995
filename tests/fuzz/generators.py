"""Random inputs over symgrad's documented grammar, for fuzzing (issue 11).

Each generator takes a :class:`random.Random` and returns one input, so a seed names an
input exactly (the in-suite tests draw seeds with hypothesis; ``run.py`` walks a range of
seeds for the long run). Nothing here calls symgrad: the inputs are plain text and options.

- :func:`problem`: ``--let`` lines, ``--wrt``, ``--at`` and options, built from every
  documented function and named loss (max/min with 2-4 arms, where, clamp, leaky_relu, ...),
  numbers from tiny to huge, and points chosen to land on kinks, ties, zero denominators
  and the edges of log and sqrt.
- :func:`document`: a hand derivation: lines of LaTeX or plain text mixing the real notation
  of derivations (fractions, partials, cases, sums, primes, text) with mutations (cut,
  repeated, swapped, unbalanced braces, junk bytes).
"""

from __future__ import annotations

import random
import re

INPUTS = ("x", "y", "t")
PARAMS = ("m", "b", "w")
NUMBERS = ("0", "1", "2", "3", "0.5", "-1", "1e-30", "1e30", "1e-300", "7", "1/3", "100", "-0.25")
POINT_VALUES = ("0", "1", "-1", "2", "0.5", "-2", "3", "1e-8", "1e8", "10", "-3", "0.001", "4")
UNARY = ("abs", "sign", "exp", "log", "sqrt", "sigmoid", "tanh", "relu", "softplus", "sin",
         "cos", "tan", "sinh", "cosh", "heaviside", "step", "hardtanh", "sgn", "ln", "Abs")
LOSSES1 = ("l1", "mae", "l2", "mse", "squared", "log_cosh", "hinge", "squared_hinge")
LOSSES2 = ("huber", "smooth_l1", "bce", "log_loss")
NARY = ("max", "min", "Max", "Min")
COMPARE = ("<", ">", "<=", ">=")


def expression(r: random.Random, names: tuple[str, ...], depth: int = 0) -> str:
    """A random expression over ``names`` (documented syntax only)."""
    if depth >= 4 or r.random() < 0.25 + 0.15 * depth:
        return r.choice(names) if r.random() < 0.7 else r.choice(NUMBERS)
    kind = r.random()
    sub = lambda: expression(r, names, depth + 1)  # noqa: E731
    if kind < 0.30:
        op = r.choice(("+", "-", "*", "/", "^", "**"))
        right = sub() if op not in ("^", "**") else r.choice(("2", "3", "0.5", "-1", "1/2", sub()))
        return f"({sub()} {op} {right})"
    if kind < 0.50:
        return f"{r.choice(UNARY)}({sub()})"
    if kind < 0.62:
        arms = r.randint(2, 4)
        return f"{r.choice(NARY)}({', '.join(sub() for _ in range(arms))})"
    if kind < 0.72:
        return f"where({sub()} {r.choice(COMPARE)} {sub()}, {sub()}, {sub()})"
    if kind < 0.78:
        return f"clamp({sub()}, {r.choice(('-1', '0', '-2'))}, {r.choice(('1', '2', '0'))})"
    if kind < 0.83:
        return f"leaky_relu({sub()}{r.choice(('', ', 0.1', ', 0.01'))})"
    if kind < 0.88:
        return f"|{sub()}|"
    if kind < 0.94:
        return f"{r.choice(LOSSES1)}({sub()})"
    second = r.choice(("0.5", "1", "2", sub()))
    return f"{r.choice(LOSSES2)}({sub()}, {second})"


def problem(r: random.Random) -> dict:
    """Options for ``symgrad.derive``: lets, wrt, at, and sometimes lr, convention, style."""
    params = tuple(r.sample(PARAMS, r.randint(1, 3)))
    names = INPUTS[: r.randint(1, 3)] + params
    lets = []
    if r.random() < 0.7:
        lets.append(f"yhat = {expression(r, names, 1)}")
        names = names + ("yhat",)
    n_extra = r.randint(0, 2)
    for k in range(n_extra):
        lets.append(f"u{k} = {expression(r, names, 1)}")
        names = names + (f"u{k}",)
    if "yhat" in names and r.random() < 0.6:  # the usual shape: a loss of the residual
        lets.append(f"L = {r.choice(LOSSES1)}(y - yhat)" if r.random() < 0.6 else
                    f"L = {expression(r, ('y', 'yhat', 'yhat', 'u0' if 'u0' in names else 'y'), 1)}")
    else:
        lets.append(f"L = {expression(r, names)}")
    used = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", " ".join(lets)))
    wrt = [p for p in params if p in used] or [params[0]]
    if r.random() < 0.3:
        wrt = wrt[:1]
    opts: dict = {"lets": lets, "wrt": ",".join(wrt)}
    if r.random() < 0.85:
        point = {n: r.choice(POINT_VALUES) for n in INPUTS + params if n in used}
        if "yhat" in used and "y" in point and r.random() < 0.3:
            point["y"] = point.get("x", "0")  # often lands y - yhat on a kink
        opts["at"] = ", ".join(f"{k}={v}" for k, v in point.items())
        if r.random() < 0.3:
            opts["lr"] = r.choice(("0.1", "1", "0.01", "1e-3"))
            if r.random() < 0.3:
                opts["steps"] = r.randint(2, 4)
    if r.random() < 0.4:
        opts["convention"] = r.choice(("min-norm", "subdifferential", "left", "right", "average",
                                       "pytorch", "jax", "tensorflow"))
    if r.random() < 0.3:
        opts["style"] = r.choice(("leibniz", "backprop"))
    return opts


# --- documents -------------------------------------------------------------------------------

PIECES = (
    r"\frac{\partial L}{\partial m}", r"\frac{dL}{dm}", "dL/dm", r"\partial_m L", r"\nabla_m L",
    r"-\operatorname{sign}(y - \hat y)\, x", r"\text{sign}(y-\hat{y})", r"\sum_{i=1}^{n}",
    r"\frac{1}{n}", r"x_i", r"x^{(i)}", r"\hat{y}_i", r"(y - \hat y)^2", r"2(y - mx - b)",
    r"\begin{cases} 1 & x > 0 \\ -1 & x < 0 \end{cases}", r"\sigma'(z)", r"\sigma(z)(1-\sigma(z))",
    r"|y - \hat y|", r"\left( y - \hat y \right)", r"\cdot", r"\times", "=", "&=", r"\\", "+",
    "-", r"\approx", "0.5", "-2", "1e400", "10^{10^{10}}", r"\sqrt{x}", r"e^{-x}", r"\log(a)",
    r"\max(0, 1 - yz)", r"[z > 0]", r"\mathbb{1}[u>0]", r"\text{ where }", r"\quad", "x",
    "m", "b", "y", "yhat", r"\hat y", "L", "J", r"\theta", r"\theta_1", "w_1", r"\eta",
    r"m \leftarrow m - \eta", ":=", "'", "^", "_", "{", "}", "(", ")", "[", "]", "|", ",", ".",
    # vectors and matrices of sizes that do not fit (082's ShapeError came from the corpus, not
    # from here), and the notation of the third blind batch
    r"\begin{bmatrix}16 & -6\end{bmatrix}", r"\begin{bmatrix}0.1 & 0.2 & 0.3\end{bmatrix}",
    r"\begin{pmatrix}a \\ b\end{pmatrix}", "(1, 2)", "(x, y, m)", r"\sum_{i : y_i z < 1}",
    r"\delta_{ij}", r"\Delta x", r"w_{y_{i}}", r"(\lambda w^2)'", "100_000", ":",
    r",\:\: i=1,\cdots,n", "When it is greater than 0:",
)
WRAPS = (("$$", "$$"), ("$", "$"), (r"\[", r"\]"), (r"\(", r"\)"),
         ("\\begin{align*}\n", "\n\\end{align*}"), ("", ""), ("```\n", "\n```"))
PROSE = ("The derivative is", "so we get", "I got:", "Hence", "where", "If $x > 0$ then",
         "# heading", "- bullet", "1. step", "> quote", "Note that the loss is convex.")
HOSTILE = (r"\def\x{\x}", r"\input{/etc/passwd}", r"\write18{ls}", r"\newcommand{\a}{\a\a}",
           "\x00", "\x7f\x07", "\ufeff", "{" * 200, "(" * 300, "x^" * 100, r"\frac" * 80,
           "9" * 400, r"\begin{cases}", "$$", r"\\" * 50, "\u202e", "\U0001f600")


def formula(r: random.Random) -> str:
    n = r.randint(1, 12)
    return " ".join(r.choice(PIECES) for _ in range(n))


def document(r: random.Random) -> str:
    """A hand derivation of up to ~12 lines, sometimes hostile or mutated."""
    lines = []
    for _ in range(r.randint(0, 12)):
        roll = r.random()
        if roll < 0.2:
            lines.append(r.choice(PROSE))
        elif roll < 0.25:
            lines.append(r.choice(HOSTILE))
        else:
            a, b = r.choice(WRAPS)
            lines.append(f"{a}{formula(r)} = {formula(r)}{b}")
    text = "\n".join(lines)
    if text and r.random() < 0.3:  # mutate: cut, repeat, swap two halves
        k = r.randrange(len(text))
        text = r.choice((text[:k], text + text[k:], text[k:] + text[:k]))
    return text


CHECK_PROBLEMS = (
    {"example": "l1"},
    {"lets": ["yhat = m*x + b", "L = (y - yhat)^2"], "wrt": "m,b"},
    {"lets": ["yhat = m*x + b", "J = mean((y_i - (m*x_i + b))^2, i)"], "wrt": "m"},
    {"example": "huber"},
    {"example": "hinge"},
    {"lets": ["z = w*x", "a = sigmoid(z)", "L = -(y*log(a) + (1 - y)*log(1 - a))"], "wrt": "w"},
    {},  # the problem from the document
)


def check_case(r: random.Random) -> tuple[str, dict]:
    """A document and the problem it is checked against."""
    return document(r), dict(r.choice(CHECK_PROBLEMS))
