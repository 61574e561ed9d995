"""Fuzzing in the suite (issue 11): random problems and random documents end in a result or a
clear user error, never an internal error, a failed self-check or an overrun.

The inputs come from ``tests/fuzz/generators.py`` (the documented grammar: every function and
named loss, max/min with 2-4 arms, where, clamp, numbers from 1e-300 to 1e30, points on kinks
and ties, zero denominators, logs of negatives; documents mixing real derivation notation with
mutations and hostile commands). Hypothesis draws the seeds, derandomised, so a CI run is
repeatable; ``SYMGRAD_FUZZ_EXAMPLES`` sets how many (default 150 problems and 150 documents).
The long run is ``python3 tests/fuzz/run.py --engine 100000 --check 20000 --jobs 2`` (see the
README for its latest figures).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent / "fuzz"))

import run  # noqa: E402

EXAMPLES = int(os.environ.get("SYMGRAD_FUZZ_EXAMPLES", "150"))
#: Seconds one input may take in the suite (the long run uses 10); generous for a loaded CI box.
BUDGET = 20.0
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("kind", ["engine", "check"])
@FUZZ
@given(seed=st.integers(0, 2**31))
def test_a_random_input_ends_in_a_result_or_a_clear_error(kind, seed):
    """engine: a random problem through every stage; check: a random document."""
    _, _, outcome, detail = run.one(kind, seed, BUDGET)
    assert outcome in ("ok", "user-error"), (
        f"{kind} seed {seed}: {outcome}: {detail}\n"
        f"replay: python3 tests/fuzz/run.py --only {seed} --kind {kind}")


def test_the_fuzz_harness_tells_a_crash_from_a_user_error(monkeypatch):
    """The harness itself: a user error passes, anything else is reported with its seed."""
    import symgrad
    from symgrad.errors import ProblemError

    def user_error(**opts):
        raise ProblemError("bad input")

    def crash(**opts):
        raise KeyError("boom")

    monkeypatch.setattr(symgrad, "derive", user_error)
    assert run.one("engine", 1, 5)[2] == "user-error"
    monkeypatch.setattr(symgrad, "derive", crash)
    kind, seed, outcome, detail = run.one("engine", 1, 5)
    assert (outcome, seed) == ("internal", 1) and "KeyError" in detail


def test_the_fuzz_harness_stops_an_input_at_its_budget(monkeypatch):
    import time

    monkeypatch.setattr(run, "run_engine", lambda opts: time.sleep(5))
    assert run.one("engine", 1, 0.2)[2] == "overrun"


def test_found_by_the_long_run_a_quantity_that_is_not_real_everywhere():
    """Seed 3,025,504: u0 = sqrt(w)*7x is not real for w < 0, where SymPy's writing-out of
    |u0^2| (u0 a real symbol) as 49 w x^2 does not hold; the self-check compared there and
    called a right gradient wrong (exit 3). By hand: L = 49 w x^2 for w > 0, dL/dw = 49 x^2."""
    import symgrad

    d = symgrad.derive(lets=["u0 = ((w ^ 0.5) * (7 * x))",
                             "u1 = (min(sigmoid(-0.25), clamp(x, -1, 0), w) * w)",
                             "L = |l2(u0)|"], wrt="w", at="x=10, w=2")
    (v,) = d.verification
    assert v.sympy and v.finite_difference, v.note
    assert float(d.gradient["w"]) == pytest.approx(49 * 10**2)


def test_found_by_the_long_run_sympy_piecewise_recursing_without_end():
    """Seed 3,021,350: writing the loss out made SymPy's Piecewise recurse until Python's
    limit (exit 3); the self-check now checks each local derivative instead. By hand: the
    where() is u0 = b near b = 1 (1e-30 is not above smooth_l1(4, 1) > 0), so L = max(b, b, b,
    b) = b and dL/db = 1 under any convention (every arm's gradient is 1)."""
    import symgrad

    d = symgrad.derive(lets=["yhat = l1(x)", "u0 = b",
                             "L = Max(where(min(y, yhat, 1e-30, u0) > smooth_l1(yhat, u0), "
                             "1e-300, u0), u0, u0, u0)"],
                       wrt="b", at="x=4, y=4, b=1", lr="0.01", convention="left", style="backprop")
    (v,) = d.verification
    assert v.sympy and v.finite_difference is not False, v.note
    assert d.gradient["b"] == 1


def test_found_by_the_long_run_a_power_of_a_piecewise_sympy_cannot_settle():
    """Engine seed 24,003,291: reading ``where(...)^0.5`` made SymPy's Piecewise evaluate
    itself until Python's recursion limit (exit 3). It is a clear error now, naming the line."""
    import symgrad
    from symgrad.errors import ParseError

    with pytest.raises(ParseError, match="recursed without end") as e:
        symgrad.derive(lets=["u0 = 1e30", "u1 = -1", "L = (where((clamp(w, 0, 2) ^ 0.5) >= "
                             "smooth_l1(y, t), 0, y) ^ 0.5)"], wrt="w", at="y=-3, t=0.5, w=-2")
    assert "--let #3" in e.value.one_line()


def test_found_by_the_long_run_a_huge_exact_power_in_the_written_out_loss():
    """Seed 3,031,733: u0 = (1e30)^3 put into 7^u0 made SymPy compute 7^(10^90) exactly while
    the self-check wrote the loss out (an overrun). y < 7^u0 holds for any sampled y, so
    L = y there and dL/db = 0 (by hand)."""
    import symgrad

    d = symgrad.derive(lets=["yhat = b", "u0 = (1e30 ^ 3)", "L = where(y < (7 ^ u0), y, yhat)"],
                       wrt="b", convention="average")
    (v,) = d.verification
    assert v.sympy, v.note


def test_found_by_the_long_run_a_condition_sympy_settles_for_minutes(capsys):
    """Seed 3,022,322: a where() inside a where()'s condition made SymPy solve
    m >= m^(1e-300) as an inequality for minutes; reading it is now a clear error in time."""
    import time

    from symgrad.cli import main

    start = time.monotonic()
    code = main(["derive", "--let", "yhat = where(where(m >= (m ^ 1e-300), y, m) > y, x, (x ** 1/2))",
                 "--let", "L = sin(leaky_relu((-1 - Min(y, m, x, y)), 0.01))", "--wrt", "m",
                 "--at", "x=0.5, y=1e-8, m=3"])
    err = capsys.readouterr().err
    assert code == 2 and "took SymPy over 1.5 s" in err and err.count("\n") == 1
    assert time.monotonic() - start < 8


def test_found_by_the_long_run_a_piecewise_sympy_settles_while_writing_out():
    """Seed 3,009,582: writing the loss out rebuilt a Piecewise whose condition holds a
    Piecewise, and SymPy solved it as inequalities (an overrun); the self-check now keeps
    pieces as written and bounds its SymPy work. The result against a central difference
    computed here in mpmath."""
    import mpmath

    import symgrad

    lets = ["yhat = smooth_l1((1 / w), 1)", "u0 = ((yhat + clamp(yhat, -2, 2)) ^ 3)",
            "u1 = where(w < u0, u0, -1)", "L = huber(Min(u1, 100, leaky_relu(1e30)), l1(1))"]
    d = symgrad.derive(lets=lets, wrt="w", at="w=-2")
    (v,) = d.verification
    assert v.sympy and v.finite_difference is not False, v.note

    def loss(w):  # the same definitions, written out here in mpmath
        r = 1 / w
        yhat = 0.5 * r * r if abs(r) < 1 else abs(r) - 0.5
        u0 = (yhat + min(max(yhat, -2), 2)) ** 3
        u1 = u0 if w < u0 else -1
        a = min(u1, 100, 1e30)
        return 0.5 * a ** 2 if abs(a) <= 1 else abs(a) - 0.5  # huber(r, delta = |1|)

    mpmath.mp.dps = 30
    fd = mpmath.diff(loss, mpmath.mpf(-2))
    assert float(d.gradient["w"]) == pytest.approx(float(fd), rel=1e-6, abs=1e-9)


def test_found_by_the_long_run_noise_that_looked_like_a_settled_difference():
    """Seed 3,042,432: L = 1e-30 cos(1e30 sqrt(m)); at 30 digits the central differences at h
    and h/10 are both noise near 1e-21 and agreed within the old absolute floor of 1e-12, so a
    right gradient was called wrong (exit 3). By hand: dL/dm = -sin(2e30)/4 at m = 4."""
    import mpmath

    import symgrad

    d = symgrad.derive(lets=["yhat = cos(((m ** x) * 1e30))", "L = (yhat * 1e-30)"], wrt="m",
                       at="x=0.5, m=4")
    (v,) = d.verification
    assert v.sympy and v.finite_difference is not False, v.note
    mpmath.mp.dps = 80
    assert float(d.gradient["m"]) == pytest.approx(float(-mpmath.sin(2 * mpmath.mpf(10) ** 30) / 4),
                                                   rel=1e-12)


def test_found_by_the_long_run_a_root_of_a_huge_integer():
    """Seed 3,057,481: showing (yhat^3)^2 ^ (1/(3 yhat)) at the point made SymPy look for an
    exact root of a huge integer (minutes in iroot); such powers are floats now. Checked
    against the same loss evaluated here in mpmath."""
    import mpmath

    import symgrad

    d = symgrad.derive(lets=["yhat = sigmoid(min(|1e-300|, -0.25, m))",
                             "L = (l2((yhat ^ 3)) ** (1/3 / yhat))"], wrt="m", at="m=0")
    assert d.render("text")
    (v,) = d.verification
    assert v.sympy and v.finite_difference is not False, v.note
    mpmath.mp.dps = 40
    yhat = 1 / (1 + mpmath.exp(mpmath.mpf(1) / 4))  # min(1e-300, -1/4, 0) = -1/4: not m
    assert float(d.gradient["m"]) == 0  # m is not the min there, so L does not move with m
    assert float(dict(d.numbers.values)["L"]) == pytest.approx(
        float((yhat ** 6) ** (1 / (3 * yhat))), rel=1e-12)


def test_found_by_the_guided_run_a_lone_differential_in_a_denominator():
    """atheris (tests/fuzz/guided.py check): 'd=L/dm' made the hand reader's symbol for a
    lone differential reach SymPy's LaTeX printer for its own diffgeom Differential class
    (same name), which crashed. It prints as written now."""
    import symgrad
    from symgrad.checking.handbase import DifferentialSymbol
    from symgrad.rendering.printing import latex, plain

    text = ("# symgrad-problem: --example l2\n# symgrad-expect: line=4 diagnosis=wrong-variable\n"
            "dyhat/dm x\n d=L/dm = -2*(y - yhat)*m\n")
    report = symgrad.check(text, example="l1")
    assert report.render() and report.to_dict()
    assert latex(DifferentialSymbol("m")) == r"\mathrm{d}m" and plain(DifferentialSymbol("m")) == "dm"


@pytest.mark.parametrize("name", ["___1", "a__b", "_a", "a_", "t^_____________^________1"])
def test_found_by_the_guided_run_names_the_printers_cannot_write(name):
    """atheris (guided.py reader): 't^_____________^________1' was read as t to the power of a
    name of underscores, which SymPy's LaTeX printer writes as a double subscript (___{1}),
    a TeX error, and 'a__b' comes out as a^{b}, a different name. Such names are refused."""
    from symgrad.errors import ParseError
    from symgrad.reader.expression import parse_assignment

    with pytest.raises(ParseError, match="is not a name: a name starts with a letter"):
        parse_assignment(f"L = m + {name}")


def test_found_by_the_long_run_a_root_of_order_a_hundred_million():
    """Seed 4,012,855: (u0^(1/3))^|y| at m = 1/1000, y = 1e-8 asked SymPy for the exact
    10^8-th root of 1/10 (an overrun); such roots are floats now. By hand, with
    x = -1 < 2: L = heaviside(...) if min(y, b) >= |-0.25| * min(1/m, 100, b, 1e30) else m^2;
    min(1e-8, 1e8) = 1e-8 < 0.25 * 100, so L = m^2: dL/dm = 2m = 0.002, dL/db = 0."""
    import symgrad

    d = symgrad.derive(lets=["u0 = m", "u1 = leaky_relu((100 * where(x < 2, t, t)), 0.01)",
                             "L = where(min(y, b) >= (l1(-0.25) * Min((m ^ -1), 100, b, 1e30)), "
                             "heaviside(((u0 ^ 1/3) ^ |y|)), l2(m))"],
                       wrt="m,b", at="x=-1, y=1e-8, t=0, m=0.001, b=1e8", style="backprop")
    assert float(d.gradient["m"]) == pytest.approx(0.002) and float(d.gradient["b"]) == 0
    assert all(v.sympy and v.finite_difference is not False for v in d.verification)


def test_found_by_the_guided_run_definitions_in_a_circle_through_leibniz_factors():
    """atheris (guided.py check), a mutation of tests/real/035: resolving a name went through
    a Leibniz factor back to the same name without end (a RecursionError from the API).
    The rows that do so are unreadable now, named as a circle; the report is made."""
    import symgrad

    text = (Path(__file__).resolve().parent / "fuzz" / "found" /
            "check-definitions-circle.md").read_text(encoding="utf-8")
    report = symgrad.check(text, example="l1")
    assert report.render() and report.to_dict()["status"] in ("correct", "wrong", "unreadable",
                                                              "nothing-checked")


def test_found_by_the_long_run_cancelling_terms_at_1e30():
    """Seed 5,039,387: sympy.diff of max(yhat, 1e30 w, yhat)/w is 1e30/w - 1e30 w/w^2, zero only
    up to the rounding of 1e30-sized terms, and the comparison called symgrad's exact 0 wrong.
    By hand: for w > 0 the max is 1e30 w (x + w^w is near 2), so u0 = 1e30 and du0/dw = 0."""
    import symgrad

    d = symgrad.derive(lets=["yhat = (x + (w ^ w))", "u0 = (max(yhat, (1e30 * w), yhat) / w)",
                             "u1 = (w / max(0.5, u0, w))", "L = u0"], wrt="w", at="x=1, w=1e-8")
    (v,) = d.verification
    assert v.sympy and v.finite_difference is not False, v.note
    assert d.gradient["w"] == 0


def test_found_by_the_long_run_arms_that_are_the_same_quantity():
    """Seed 5,064,799: min(m, u1, u0, u0) with u0 = u1 = m ties everywhere; SymPy merges the
    arms when the loss is written out, so the self-check compared the tie formula where it
    is the convention's pick and called it wrong. By hand: L = m^|m| near m = 1/2 (w < y), so
    dL/dm = m^m (log m + 1); the tie split among the arms adds up to that."""
    import math

    import symgrad

    d = symgrad.derive(lets=["u0 = m", "u1 = m", "L = (min(m, u1, u0, u0) ** ||where(w < y, m, 1)||)"],
                       wrt="m", at="y=10, m=0.5, w=0.001", convention="left")
    (v,) = d.verification
    assert v.sympy, v.note
    assert float(d.gradient["m"]) == pytest.approx(0.5 ** 0.5 * (math.log(0.5) + 1), rel=1e-6)


def test_found_by_the_long_run_a_symbolic_gradient_with_1e300_terms():
    """Seed 5,069,338 (no point): sympy.diff of w / (min(w, m, 1e-30, 3) smooth_l1(w, w) +
    1e-300) has terms near 1e300 that cancel; the comparison now allows their rounding."""
    import symgrad

    d = symgrad.derive(lets=["yhat = 1e-30", "L = (w / ((Min(w, m, 1e-30, 3) * smooth_l1(w, w)) + 1e-300))"],
                       wrt="m,w", convention="right")
    assert all(v.sympy for v in d.verification), [v.note for v in d.verification]


def test_found_by_the_long_run_a_number_added_to_a_matrix():
    """Check seed 5,001,464 (a mutated document, no problem given): a row added a name to a
    matrix, and SymPy's TypeError escaped the reader (exit 3). The row is unreadable now,
    and with no readable definition the document is a clear error."""
    import symgrad
    from symgrad.errors import SymgradError

    text = (Path(__file__).resolve().parent / "fuzz" / "found" /
            "check-scalar-plus-matrix.md").read_text(encoding="utf-8")
    try:
        report = symgrad.check(text)
    except SymgradError as e:
        assert e.one_line()
    else:
        assert report.render()


def test_found_by_the_long_run_a_where_boundary_that_selects_the_same_piece_on_both_sides():
    """Seed 7,015,259: where(yhat > |yhat|, b, 1e30 x) with yhat = 3 is on its boundary
    (yhat - |yhat| = 0), yet the condition is false on both sides: no jump, and dL/db = 0
    (sign(b) is flat at b = 3; the where keeps its x piece). SymPy's written-out derivative
    compares sinh(x)^2 with 14 - 2|sinh(x)^2/2 - 7|, equal terms that rounding split, so
    points on a piecewise boundary are no longer compared."""
    import symgrad

    d = symgrad.derive(lets=["yhat = smooth_l1(where(b >= 2, 7, 1), l2(sinh(x)))",
                             "L = (sgn(b) * where(yhat > l1(yhat), b, (x * 1e30)))"],
                       wrt="b", at="x=4, b=3", style="backprop")
    assert d.gradient["b"] == 0
    assert not d.numbers.jumps
    (v,) = d.verification
    assert v.sympy and v.finite_difference, v.note
    # a real jump stays one: the condition changes across b = 2
    d = symgrad.derive(lets=["L = where(b >= 2, b, 3*b)"], wrt="b", at="b=2")
    assert d.numbers.jumps


def test_found_by_the_long_run_a_where_whose_condition_sympy_folds_without_end():
    """Seed 7,059,674: SymPy's Piecewise, folding the condition smooth_l1(m, m) >=
    max(m^3, tan(m), x), recursed until Python's limit while the definition was read (an
    internal error from the API). The where() is kept as written now; at m = 0.001, x = 1e8
    the condition is false, so yhat = clamp(x m, -1, 0) = 0 and L = |y - 0| with y = -2:
    dL/dm = 0 (the clamp is flat above 0), which the verification confirms."""
    import symgrad

    d = symgrad.derive(lets=["yhat = where(smooth_l1(m, m) >= Max((m ^ 3), tan(m), x), "
                             "clamp(1e-300, 0, 0), clamp((x * m), -1, 0))", "L = l1(y - yhat)"],
                       wrt="m", at="x=1e8, y=-2, m=0.001")
    assert d.gradient["m"] == 0
    (v,) = d.verification
    assert v.finite_difference, v.note


def test_found_by_the_long_run_a_sine_of_a_rounded_number_beyond_its_digits():
    """Seed 7,062,669: sin(u1) with u1 = exp(-0.6) - 1e30, a 30-digit float whose digits end
    before the decimal point: its sine (and the derivative's cosine) is unknown at that
    precision, and the central difference saw no change. Now a clear user error; a sine of
    an exact huge number is still computed (cos(3e30) to every digit shown)."""
    import mpmath

    import symgrad
    from symgrad.errors import ProblemError

    with pytest.raises(ProblemError, match=r"sin\(u1\) cannot be computed at the point"):
        symgrad.derive(lets=["u0 = mse(exp(leaky_relu(w, 0.1)))",
                             "u1 = (where(1e-300 <= u0, u0, x) - 1e30)", "L = (sin(u1) - 1)"],
                       wrt="w", at="x=0.001, w=-3")
    d = symgrad.derive(lets=["L = sin(w*1e30)"], wrt="w", at="w=3")
    with mpmath.workdps(50):
        oracle = float(10**30 * mpmath.cos(3 * mpmath.mpf(10)**30))
    assert float(d.gradient["w"]) == pytest.approx(oracle, rel=1e-12)


def test_found_by_the_long_run_cancelling_terms_inside_a_piece():
    """Seed 7,071,534: sympy.diff writes d/dm of leaky_relu(where(y < 2, x, m) / (1e-30 m)) as a
    Piecewise whose piece 1e30/m - 1e30 m/m^2 is 0 only up to the rounding of its 1e30-sized
    terms; the comparison allows that rounding inside pieces too. By hand at y = 1e-8 < 2:
    yhat = x/(1e-30 m) = 4e38 > 0 with slope 1, so dyhat/dm = -1e30 x/m^2, and L = |y - yhat|
    with y - yhat < 0 has dL/dyhat = 1: dL/dm = -1e30 x/m^2 = -4e46 at x = 4, m = 1e-8."""
    import symgrad

    d = symgrad.derive(lets=["yhat = leaky_relu((where(y < 2, x, m) / (1e-30 * m)))", "u0 = b",
                             "L = mae(y - yhat)"], wrt="m", at="x=4, y=1e-8, m=1e-8, b=0", lr="1e-3")
    assert float(d.gradient["m"]) == pytest.approx(-4e46, rel=1e-12)
    (v,) = d.verification
    assert v.sympy, v.note


def test_found_by_the_long_run_an_exponent_sympy_cannot_ask_about():
    """Seed 9,006,752 (no point): the line breaking asked SymPy whether a factor's exponent
    is negative; for 1e30^(1/where(...)) SymPy rebuilt the piecewise exponent, compared zoo
    and raised TypeError while the Markdown was rendered. The factor is kept whole now."""
    import symgrad
    from symgrad.rendering import render_many

    d = symgrad.derive(lets=["yhat = min(1, y, b, 7)", "u0 = abs(x)",
                             "L = where((u0 - clamp(where(u0 <= 1/3, u0, b), -1, 1)) < sqrt(x), "
                             "min(100, (u0 + leaky_relu(y, 0.1))), (1e30 ** (where(0.5 >= 1e-30, "
                             "yhat, yhat) ** -1)))"], wrt="b")
    out = render_many(d, ["markdown", "latex"])
    assert all("frac{\\partial L}{\\partial b}" in o for o in out)


def test_found_by_the_long_run_a_log_of_a_negative_hidden_in_a_min():
    """Seed 9,024,468: yhat = min(log(leaky_relu(x, 0.1)), max(x, w, 1/3)) is not real for x < 0,
    but a float min() passes the NaN of the log by, so the self-check compared the gradients
    there and called them different. Points where a log or root inside a quantity is not real
    are left out now. At the point (x = 1, w = 1e-8): yhat = min(log 1, 1) = 0, so the condition
    mse(min(1e30, 0, 0, 1e-8)) = 0 >= min(3, 1) = 1 is false and L = m: dL/dm = 1, dL/dw = 0."""
    import symgrad

    d = symgrad.derive(lets=["yhat = min(ln(leaky_relu(x, 0.1)), max(x, w, 1/3))", "u0 = m",
                             "u1 = x", "L = where(mse(Min(1e30, yhat, ln(x), w)) >= min(3, x), "
                             "(leaky_relu((m + yhat), 0.1) * u0), m)"],
                       wrt="w,m", at="x=1, w=1e-8, m=-2", lr="0.1", steps=4, convention="average")
    assert (d.gradient["m"], d.gradient["w"]) == (1, 0)
    assert all(v.sympy for v in d.verification), [v.note for v in d.verification]


def test_found_by_the_long_run_a_sum_cancelling_inside_a_product():
    """Seed 9,086,622: yhat = max(m, 1e30 m)/w, L = |y - yhat|. sympy.diff writes dL/dm as
    -(k sign(m)/2 + (k + 2)/2) sign(y - yhat)/w with k = 10^30 - 1: for m < 0 the sum is 1,
    but in floats its two 5e29 terms cancel to 0, and the self-check called the (right)
    gradient different. The rounding scale now follows a sum through the product around it.
    At m = 0 the arms tie; the subdifferential of dL/dm is -[1, 1e30]/w (w = 2, y - yhat = 4
    > 0) and its least-norm element is -1/2; dL/dw = sign(4) max(0, 0)/w^2 = 0."""
    import sympy as sp

    import symgrad
    from symgrad.numbers.oracles import compare_functions

    m, w, y = sp.symbols("m w y", real=True)
    k = sp.Integer(10) ** 30 - 1
    top = sp.Max(m, (k + 1) * m)
    s = sp.sign(y - top / w)
    ours = -(sp.Heaviside(-k * m) + (k + 1) * sp.Heaviside(k * m)) * s / w
    oracle = -(k * sp.sign(m) / 2 + (k + 2) / 2) * s / w
    assert compare_functions(ours, oracle, [m, w, y]) is True
    assert compare_functions(ours, 2 * oracle, [m, w, y]) is False  # still tells them apart

    d = symgrad.derive(lets=["yhat = (max(m, (1e30 * m)) / w)", "u0 = w", "L = l1(y - yhat)"],
                       wrt="w,m", at="y=4, w=2, m=0", convention="min-norm")
    assert (d.gradient["m"], d.gradient["w"]) == (sp.Rational(-1, 2), 0)
    assert all(v.sympy for v in d.verification), [v.note for v in d.verification]


def test_found_by_the_long_run_a_loss_too_large_to_write_out():
    """Seed 9,054,023 (no point): writing the loss out for the sympy.diff oracle evaluated
    sigmoid(7^(1e30)), and mpmath's integer overflowed. The whole-loss oracle now gives way to
    the local derivatives, as it does when SymPy cannot build the written-out loss."""
    import symgrad

    d = symgrad.derive(lets=["u0 = 1e30", "u1 = sigmoid((7 ^ u0))",
                             "L = sinh(where(u1 >= (0.5 + u0), huber(m, 1), bce(max(u1, -0.25), u1)))"],
                       wrt="m", style="leibniz")
    (v,) = d.verification
    assert v.sympy, v.note


@pytest.mark.parametrize("seed", [9_005_195, 9_017_704])
def test_found_by_the_long_run_a_condition_sympy_refuses_to_build(seed):
    """Check seeds 9,005,195 and 9,017,704: a row's condition, written out, made SymPy refuse
    the piecewise marker the judge samples it with ("conditions must cover all reals"), a
    ValueError that ended in exit 3. That row is unreadable now."""
    _, _, outcome, detail = run.one("check", seed, BUDGET)
    assert outcome in ("ok", "user-error"), detail


# The document generator now writes vectors of sizes that do not fit (082's crash came from
# the real corpus, not from it). Seed 13,003,100 added a 1x3 row to a power inside a condition
# (SymPy's TypeError); seed 14,015,716 raised a 1x2 row to a power (SymPy's matrix power,
# NotImplementedError). Both escaped as internal errors (exit 3); the row is now unreadable,
# with the reason.
@pytest.mark.parametrize("row, reason", [
    ("x \\text{ where } x = \\begin{bmatrix}0.1 & 0.2 & 0.3\\end{bmatrix} + x^2",
     "added to a number"),
    ("\\begin{bmatrix}16 & -6\\end{bmatrix}^2", "raised to a power"),
], ids=["a vector plus a number", "a vector to a power"])
def test_found_by_the_extended_document_generator(row, reason):
    from symgrad import check

    text = f"$$\\frac{{dL}}{{dm}} = {row}$$\n$$\\frac{{\\partial L}}{{\\partial m}} = -2x(y - mx - b)$$\n"
    report = check(text, lets=["yhat = m*x + b", "L = (y - yhat)^2"], wrt="m,b")
    assert [r.verdict for r in report.lines if r.ok is not None] == ["unreadable", "correct"], \
        report.render()
    assert reason in report.lines[0].diagnosis.explanation
