"""symgrad check: the corpus of hand derivations, the pairs it must tell apart, the API, the CLI
and hostile input (as real subprocesses, the way an autograder runs it)."""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
import time

import pytest

from symgrad import CheckReport, check, cli, problem_from
from symgrad.checking import truth_for
from symgrad.checking.handlex import MAX_CHARS
from symgrad.checking.truth import kink_arguments

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT / "tests" / "corpus"
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".tex", ".txt", ".md"))
WALL_LIMIT = 5.0  # a subprocess, including Python and SymPy start-up (generous for shared CI)
KINDS = {
    "sign-error", "missing-chain-factor", "extra-factor", "wrong-constant", "power-rule-slip",
    "wrong-variable", "wrong-subgradient", "does-not-follow",
}  # fmt: skip


def _header(text: str, key: str) -> str:
    m = re.search(rf"symgrad-{key}:(.*?)(?:-->)?$", text, re.MULTILINE)
    assert m, f"missing symgrad-{key} header"
    return m.group(1).strip()


def _expectation(path: pathlib.Path) -> tuple[list[str], dict]:
    text = path.read_text(encoding="utf-8")
    options = shlex.split(_header(text, "problem"))
    expect = _header(text, "expect")
    return options, ({} if expect == "ok" else dict(kv.split("=") for kv in expect.split()))


def _run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(args)
    return code, out.getvalue(), err.getvalue()


# --- the corpus -------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_file(path):
    options, expect = _expectation(path)
    code, out, err = _run_cli(["check", str(path), "--format", "json", *options])
    report = json.loads(out)
    if not expect:
        assert (code, report["first_error"], err) == (0, None, ""), out
        assert all(line["ok"] in (True, None) for line in report["lines"])
        return
    assert code == 1, out + err
    assert report["first_error"] == int(expect["line"]), out
    line = next(x for x in report["lines"] if x["line"] == report["first_error"])
    assert line["diagnosis"]["kind"] == expect["diagnosis"], out
    assert line["verdict"] == expect.get("verdict", "wrong"), out
    assert line["diagnosis"]["explanation"] and line["diagnosis"]["expected_plain"]
    assert line["diagnosis"]["expected_latex"]


def test_corpus_covers_every_kind_format_and_loss():
    assert len(CORPUS_FILES) >= 40
    expectations = [_expectation(p) for p in CORPUS_FILES]
    kinds = {e["diagnosis"] for _, e in expectations if e}
    assert KINDS <= kinds, KINDS - kinds
    assert sum(not e for _, e in expectations) >= 10  # correct derivations too
    suffixes = {p.suffix for p in CORPUS_FILES}
    assert {".tex", ".txt", ".md"} <= suffixes
    families = {p.name.split("-")[0] for p in CORPUS_FILES}
    assert {"l1", "l2", "huber", "hinge", "logistic", "network"} <= families


# --- the pairs that must be told apart ------------------------------------------------


def _verdict(text: str, **problem) -> str:
    report = check(text, **problem)
    (line,) = [r for r in report.lines if r.ok is not None]
    return line.verdict if line.ok else f"{line.verdict}:{line.diagnosis.kind}"


LINEAR = {"lets": ["L = m*x"], "wrt": "m", "at": "x=2, m=1"}  # dL/dm = x
ABS = {"lets": ["L = m*abs(x)"], "wrt": "m", "at": "x=2, m=1"}  # dL/dm = |x|
L1 = {"example": "l1"}  # dL/dm = -sign(y - yhat) x
SQUARE = {"lets": ["u = w - 3", "L = u^2"], "wrt": "w", "at": "w=5"}  # dL/dw = 2u, u = 2 > 0
SIGN_X = r"\operatorname{sign}(y - \hat y)\, x"

TOLD_APART = [
    pytest.param("dL/dm = x", LINEAR, "correct", id="x-for-x"),
    pytest.param("dL/dm = |x|", LINEAR, "wrong:not-equal", id="abs-x-for-x"),
    pytest.param("dL/dm = x", ABS, "wrong:not-equal", id="x-for-abs-x"),
    pytest.param(r"\frac{\partial L}{\partial m} = \lvert x \rvert", ABS, "correct", id="abs-x"),
    pytest.param(r"\frac{\partial L}{\partial m} = -" + SIGN_X, L1, "correct", id="minus-sign-x"),
    pytest.param(r"\frac{\partial L}{\partial m} = " + SIGN_X, L1, "wrong:sign-error", id="sign-x"),
    pytest.param("dL/dw = 2*u", SQUARE, "correct", id="2u"),
    pytest.param("dL/dw = 2*|u|", SQUARE, "wrong:power-rule-slip", id="2-abs-u"),
    pytest.param(r"\frac{\partial L}{\partial w} = 2\left|u\right|", SQUARE,
                 "wrong:power-rule-slip", id="2-abs-u-latex"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "problem", "verdict"), TOLD_APART)
def test_told_apart(text, problem, verdict):
    assert _verdict(text, **problem) == verdict


@pytest.mark.parametrize("example", ["l1", "l2", "logistic", "relu-neuron"])
def test_samples_cover_negatives_and_both_sides_of_every_kink(example):
    truth = truth_for(problem_from(example=example))
    for s in truth.inputs:
        assert min(truth.env[s]) < 0 < max(truth.env[s]), s
    for arg in kink_arguments(truth.full):
        vals = truth.values(arg)
        assert min(vals) < 0 < max(vals), arg


def test_one_sided_sampling_would_accept_x_for_abs_x():
    """The reason for negative samples: on positive numbers alone |x| and x agree."""
    report = check("dL/dm = |x|", lets=["L = m*x"], wrt="m", at="x=2, m=1")
    assert report.first_error == 1
    assert report.lines[0].diagnosis.expected_plain == "dL/dm = x"


# --- the API --------------------------------------------------------------------------


L1_HAND = r"""
\begin{align*}
\frac{\partial L}{\partial m} &= \frac{\partial L}{\partial \hat y}\frac{\partial \hat y}{\partial m} \\
&= \operatorname{sign}(y - \hat{y})\, x \\
&= -\operatorname{sign}(y - \hat{y})\, x \\
&= -2
\end{align*}
"""


def test_api_report_object():
    report = check(L1_HAND, problem_from(example="l1"))
    assert isinstance(report, CheckReport)
    assert [(r.line, r.ok, r.verdict) for r in report.lines] == [
        (3, True, "correct"), (4, False, "wrong"), (5, True, "correct"), (6, True, "correct"),
    ]  # fmt: skip
    assert report.first_error == 4 and not report.ok
    d = report.lines[1].diagnosis
    assert d.kind == "sign-error" and "minus" in d.explanation
    assert d.expected_plain == "dL/dm = -sign(y - yhat)*x"
    assert (
        d.expected_latex == r"- \operatorname{sign}\left(y - yhat\right) x"
        or "sign" in d.expected_latex
    )
    assert report.lines[2].diagnosis.kind == "does-not-follow"  # right, after a wrong line


def test_api_accepts_problem_options():
    assert check("dL/dm = -sign(y - yhat)*x", example="l1").ok
    assert check("dL/dm = -sign(y - yhat)*x", lets=["yhat = m*x + 4", "L = abs(y - yhat)"],
                 wrt="m", at="x=2, y=10, m=1.5").ok  # fmt: skip


def test_json_contract_and_determinism():
    report = check(L1_HAND, example="l1", name="hand.tex")
    text = report.render("json")
    data = json.loads(text)
    assert {"lines", "first_error"} <= set(data)
    assert {"line", "ok", "verdict", "diagnosis"} <= set(data["lines"][0])
    assert data["first_error"] == 4
    assert text == check(L1_HAND, example="l1", name="hand.tex").render("json")


def test_text_marks_lines_and_explains_first_error():
    text = check(L1_HAND, example="l1").render("text")
    assert "first error at line 4" in text
    assert "sign-error" in text and "expected: dL/dm = -sign(y - yhat)*x" in text


def test_update_and_forward_lines():
    hand = "yhat = m*x + 4 = 7\nL = |y - yhat| = 3\nm <- m - eta*dL/dm = 1.5 - 0.1*(-2) = 1.7\n"
    problem = problem_from(example="l1")
    report = check(hand.replace("eta", "0.1"), problem)
    assert report.ok, report.render()
    assert check("yhat = m*x + 4 = 8", problem).first_error == 1


def test_identity_lines_are_checked_both_sides():
    report = check(
        "\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))\n\\sigma'(z) = \\sigma(z)(1 + \\sigma(z))",
        example="logistic",
    )
    assert [r.ok for r in report.lines] == [True, False]
    assert report.lines[1].diagnosis.expected_plain.startswith("\\sigma'(z) = ")


def test_numbers_rounded_as_written():
    problem = problem_from(example="logistic")
    assert check(r"\frac{\partial L}{\partial w} = (p - y) x \approx -1.0", problem).ok
    net = problem_from(
        lets=["h = sigmoid(w1*x + b1)", "yhat = sigmoid(w2*h + b2)", "L = (y - yhat)^2/2"],
        wrt="w1",
        at="x=1, y=1, w1=0.5, b1=0, w2=-1, b2=0.5",
    )
    assert check(r"\frac{\partial L}{\partial w_1} \approx 0.0311", net).ok
    assert check(r"\frac{\partial L}{\partial w_1} \approx 0.0411", net).first_error == 1


def test_unreadable_line_is_reported_with_position():
    report = check("dL/dm = -sign(y - yhat) * q", example="l1")
    (line,) = report.lines
    assert line.verdict == "unreadable" and report.unreadable
    assert "unknown name 'q'" in line.diagnosis.explanation
    assert "line 1" in line.diagnosis.explanation and "column 27" in line.diagnosis.explanation


def test_check_never_opens_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret.tex"
    secret.write_text("dL/dm = 0")
    check("dL/dm = 1", example="l1")  # warm the caches first

    def refuse(*args, **kwargs):
        raise AssertionError(f"check opened a file: {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    for text in (f"\\input{{{secret}}}", f"dL/dm = \\include{{{secret}}}", "dL/dm = -x"):
        try:
            check(text, example="l1")
        except Exception as e:  # noqa: BLE001 - a refusal is fine, an open is not
            assert "opened a file" not in str(e)


# --- the CLI --------------------------------------------------------------------------


def test_cli_several_files_summary(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("dL/dm = -sign(y - yhat)*x\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("dL/dm = sign(y - yhat)*x\n")
    code, out, err = _run_cli(["check", str(good), str(bad), str(good), "--example", "l1"])
    assert code == 1 and err == ""
    assert out.rstrip().endswith("3 files: 2 correct, 1 with errors")
    code, out, _ = _run_cli(["check", str(good), str(bad), "--format", "json", "--example", "l1"])
    data = json.loads(out)
    assert data["summary"] == {"files": 2, "correct": 1, "with_errors": 1, "not_judged": 0}
    assert [f["first_error"] for f in data["files"]] == [None, 1]
    assert [f["status"] for f in data["files"]] == ["correct", "wrong"]


def test_cli_unreadable_file_exit_2(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("dL/dm = -sign(y - yhat)*x\n")
    junk = tmp_path / "junk.tex"
    junk.write_text("dL/dm = \\foo{x}\n")
    code, out, err = _run_cli(["check", str(good), str(junk), "--example", "l1"])
    assert code == 2
    assert err.count("\n") == 1 and "unknown command \\foo" in err and "column 9" in err
    assert "1 not judged" in out


def test_cli_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"dL/dm = -sign(y - yhat)*x\n")))
    code, out, _ = _run_cli(["check", "-", "--example", "l1"])
    assert code == 0 and "all 1 checked lines are correct" in out


def test_cli_without_a_problem_needs_definitions_in_the_document(tmp_path):
    bare = tmp_path / "bare.txt"
    bare.write_text("dL/dm = -sign(y - yhat)*x\n")  # no --example and nothing defined: no l1
    code, out, err = _run_cli(["check", str(bare)])
    assert code == 2 and out == "" and "defines none" in err and err.count("\n") == 1
    defined = tmp_path / "defined.md"
    defined.write_text("$\\hat y = mx + 4$ and $L = |y - \\hat y|$.\n\n"
                       "$$\\frac{dL}{dm} = -\\operatorname{sign}(y - \\hat y)\\, x$$\n")
    code, out, err = _run_cli(["check", str(defined)])
    assert (code, err) == (0, ""), out
    assert "problem read from the document: yhat = mx + 4; L = |y - \\hat y|" in out
    defined.write_text(defined.read_text().replace("= -", "= "))
    code, out, _ = _run_cli(["check", str(defined), "--format", "json"])
    data = json.loads(out)
    assert code == 1 and data["first_error"] == 3 and data["status"] == "wrong"
    assert data["problem_from_document"] == ["yhat = mx + 4", "L = |y - \\hat y|"]


def test_a_name_set_equal_to_an_undefined_name_is_no_definition():
    # 003 (stats.stackexchange 312737): "not differentiable at $y_{pred} = y_{true}$" is a
    # condition; read as a definition, |y_pred - y_true| is 0 and the right answer looks wrong
    text = ("$MAE=|y_{pred} - y_{true}|$\n\n"
            "The MAE, as a function of $y_{\\text{pred}}$, is not differentiable at "
            "$y_{\\text{pred}}=y_{\\text{true}}$. Elsewhere, the derivative is:\n\n"
            "$$\\dfrac{d\\text{MAE}}{dy_{\\text{pred}}} = \\begin{cases} +1,\\quad "
            "y_{\\text{pred}}>y_{\\text{true}}\\\\ -1,\\quad y_{\\text{pred}}<y_{\\text{true}} "
            "\\end{cases}$$\n")
    report = check(text)
    assert report.definitions == ("MAE = |y_{pred} - y_{true}|",)
    assert report.exit_code == 0, report.text()
    wrong = text.replace("+1,", "+2,")  # and a wrong case is still found
    assert check(wrong).exit_code == 1
    # an alias of a quantity the document defines stays: yhat = a with a = wx + b
    alias = ("Let $a = wx + b$ and $\\hat y = a$, $L = (y - \\hat y)^2$.\n\n"
             "$$\\frac{\\partial L}{\\partial w} = -2(y - \\hat y)x$$\n")
    report = check(alias)
    assert "yhat = a" in report.definitions and report.exit_code == 0, report.text()
    assert check(alias.replace("-2(", "2(")).exit_code == 1


# Pages read for their own problem (no --let), each right as written and wrong with a change:
# 065 (a blog on the chain rule): after "b1" in a network's formula, the single neuron's
# "z = wx + b" defines z from b, not from b1 (the --let rule "y for the only y2" would say);
# 040 (a worked example): f(w,b) = (2w + b - 5)^2, then "Let u = 2w + b - 5, then f = u^2" and
# df/du = 2u; f was kept in w and b, so df/du was 0 and the right line was wrong.
FROM_THE_DOCUMENT = [
    pytest.param("ŷ = sigmoid( W2 · ReLU( W1 · x + b1 ) + b2 )\n\n"
                 "DL example: A single neuron computes z = wx + b, then y = σ(z). What is dy/dw?\n"
                 "y = σ(z), z = wx + b\n"
                 "dy/dw = (dy/dz) · (dz/dw)\n"
                 "= σ'(z) · x\n", "z = wx + b", ("= σ'(z) · x", "= σ'(z) · b"),
                 id="a bare name is the document's own"),
    pytest.param("$$f(w,b) = (2w + b - 5)^2$$\n\n"
                 "Let $u = 2w + b - 5$, then $f = u^2$\n\n"
                 "$$\\frac{\\partial f}{\\partial b} = \\frac{\\partial f}{\\partial u} \\cdot "
                 "\\frac{\\partial u}{\\partial b}$$\n\n"
                 "$$\\frac{\\partial f}{\\partial u} = 2u = 2(2w + b - 5)$$\n\n"
                 "$$\\frac{\\partial f}{\\partial b} = 2(2w + b - 5) \\cdot 1 = 2(2w + b - 5)$$\n",
                 "u = 2w + b - 5", ("= 2u =", "= u ="),
                 id="a definition holding another is written through it"),
]


@pytest.mark.parametrize("text, definition, mistake", FROM_THE_DOCUMENT)
def test_a_page_read_for_its_own_problem(text, definition, mistake):
    report = check(text)
    assert definition in report.definitions, report.definitions
    assert report.exit_code == 0, report.render()
    assert check(text.replace(*mistake)).exit_code == 1


def test_cli_usage_errors():
    assert _run_cli(["check"])[0] == 2
    assert _run_cli(["check", "/nonexistent/hand.tex"])[0] == 2
    assert _run_cli(["check", "-", "--example", "nope"])[0] == 2


# --- hostile input, as real subprocesses ------------------------------------------------


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


HOSTILE = [
    pytest.param(b"dL/dm = x" + b" + x" * 5000 + b"\n", id="very-long-line"),
    pytest.param(b"dL/dm = " + b"(" * 5000 + b"x" + b")" * 5000 + b"\n", id="deep-parentheses"),
    pytest.param(b"dL/dm = " + b"(" * 200 + b"x" + b")" * 200 + b"\n", id="nesting-200"),
    pytest.param(b"dL/dm = " + b"\\frac{" * 100 + b"x" + b"}{2}" * 100 + b"\n", id="deep-frac"),
    pytest.param(b"dL/dm = " + b"|" * 300 + b"x" + b"|" * 300 + b"\n", id="deep-bars"),
    pytest.param(b"\\def\\x{\\x\\x}\n\\x\n", id="def"),
    pytest.param(b"\\input{/etc/passwd}\n", id="input"),
    pytest.param(b"$$ \\include{secret} $$\n", id="include"),
    pytest.param(b"\\newcommand{\\a}{b}\ndL/dm = \\a\n", id="newcommand"),
    pytest.param(b"dL/dm = \\csname x\\endcsname\n", id="csname"),
    pytest.param(b"\\catcode`\\^=7\n", id="catcode"),
    pytest.param(b"\\immediate\\write18{touch pwned}\n", id="write18"),
    pytest.param(b"dL/dm = \\foo{x}\n", id="unknown-command"),
    pytest.param(b"dL/dm = 2^{99999999}\n", id="huge-exponent"),
    pytest.param(b"dL/dm = 9^{9^{9^{9}}}\n", id="power-tower"),
    pytest.param(b"dL/dm = e^{e^{e^{e^{9}}}}\n", id="exp-tower"),
    pytest.param(b"dL/dm = 10^{999}" + b" \\cdot 10^{999}" * 40 + b"\n", id="huge-product"),
    pytest.param(bytes(range(256)) * 20, id="binary-junk"),
    pytest.param(b"dL/dm = x\x00\x01\x02\n", id="nul-bytes"),
    pytest.param(b"\xff\xfe\x00d\x00L", id="utf16-bytes"),
    pytest.param(b"dL/dm = x\n" * (MAX_CHARS // 10 + 10), id="too-large-file"),
    pytest.param(b"\\begin{align*}\ndL/dm &= x\n", id="unclosed-environment"),
]


@pytest.mark.parametrize("data", HOSTILE)
def test_hostile_input_exit_2_fast_and_harmless(data, tmp_path):
    hand = tmp_path / "hand.tex"
    hand.write_bytes(data)
    (tmp_path / "secret").write_text("dL/dm = -sign(y - yhat)*x\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "symgrad", "check", "hand.tex"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=10, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgrad: error: hand.tex"), proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created
    assert "root:" not in proc.stdout  # /etc/passwd was not read
    assert elapsed < WALL_LIMIT, elapsed


@pytest.mark.parametrize("data", HOSTILE[:17])
def test_hostile_input_in_process_under_a_second(data):
    text = data.decode("utf-8", errors="replace")
    check("dL/dm = 1", example="l1")  # start-up (import, derivation) is not the hostile part
    start = time.perf_counter()
    try:
        report = check(text, example="l1")
        assert report.unreadable
    except Exception as e:  # noqa: BLE001 - any user error is fine here
        assert type(e).__name__ == "ParseError"
    assert time.perf_counter() - start < 2.0  # a hang guard; the issue asks for under a second, typically ~0.1 s


def test_cli_problem_file(tmp_path):
    toml = tmp_path / "hinge.toml"
    toml.write_text(
        'let = ["f = w*x + b", "L = max(0, 1 - y*f)"]\nwrt = "w"\nat = "x=2, y=1, w=0.1, b=0"\n'
    )
    hand = CORPUS / "hinge-correct.tex"
    assert _run_cli(["check", str(hand), "--problem", str(toml)])[0] == 0
    wrong = CORPUS / "hinge-sign-error.txt"
    assert _run_cli(["check", str(wrong), "--problem", str(toml)])[0] == 1


def test_output_is_the_same_across_hash_seeds():
    hand = CORPUS / "network-missing-activation.tex"
    options, _ = _expectation(hand)
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = _env() | {"PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-m", "symgrad", "check", str(hand), "--format", "json", *options],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize("path", [p for p in CORPUS_FILES if p.name.endswith("-correct.tex")],
                         ids=lambda p: p.name)  # fmt: skip
def test_truth_agrees_with_the_engine(path):
    """Two oracles: sympy.diff of the expanded loss, and the engine's rule-by-rule chain."""
    from symgrad.checking.truth import close
    from symgrad.expr.algebra import evaluated

    options, _ = _expectation(path)
    code, _, _ = _run_cli(["check", str(path), *options])
    assert code == 0
    args = cli._parser().parse_args(["check", str(path), *options])
    problem = problem_from(example=args.example, lets=args.lets, wrt=args.wrt, at=args.at)
    truth = truth_for(problem)
    for g in truth.d.gradients:
        engine = truth.values(truth.expand(evaluated(g.expr)))
        assert close(engine, truth.values(truth.target(problem.loss, g.param).expr)), g.param
