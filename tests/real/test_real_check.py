"""symgrad check on the real derivations in tests/real/, scored by tests/real/score.py.

A document is judged right when the exit code is the one its header implies (0 correct,
1 wrong) and, for a wrong one, the first error reported is the header's first wrong line.
The floors are the figures reached (the README lists them); a change that reads less, or
that accepts a wrong derivation, fails here.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import score  # noqa: E402

# 53 documents reached 46 judged right and 96% of rows read; 15 more collected blind to the
# checker (054-068) scored 3 of 15 at first, and the reader was extended for them; a third
# blind batch (069-083) scored 0 of 15 at first. The issue asks for 90% of documents and 95%
# of rows; the floors are the figures reached (the README).
FLOOR_JUDGED_RIGHT = 75  # of 83
FLOOR_ROWS_READ = 0.95  # 436 of 455
FLOOR_FROM_DOCUMENT = 20


@pytest.fixture(scope="module")
def results():
    return [score.score_one(p) for p in score.verify_truths.corpus_files()]


def test_no_wrong_derivation_is_accepted(results):
    accepted = [r["file"] for r in results if r["verdict"] == "wrong" and r["exit"] == 0]
    assert accepted == []


def test_documents_judged_right(results):
    t = score.totals(results)
    missed = [r["file"] for r in results if not score.judged_right(r)]
    assert t["judged_right"] >= FLOOR_JUDGED_RIGHT, missed


def test_math_rows_read(results):
    t = score.totals(results)
    assert t["rows_read"] / t["rows"] >= FLOOR_ROWS_READ, t


def test_correct_documents_never_get_a_wrong_line(results):
    # a correct derivation may be unreadable in places (exit 2), never reported wrong
    rejected = [r["file"] for r in results if r["verdict"] == "correct" and r["exit"] == 1]
    # 075: the asker quotes a paper's false line ("I don't follow how ...") to dispute it; check
    # judges the line as written (a grader could not tell a quote from a claim)
    assert len(rejected) <= 1, rejected


def test_problem_from_the_document_never_accepts_a_wrong_derivation():
    results = [score.score_one(p, from_document=True) for p in score.verify_truths.corpus_files()]
    t = score.totals(results)
    assert t["false_accepts"] == 0
    assert t["judged_right"] >= FLOOR_FROM_DOCUMENT


def test_the_score_is_deterministic(results):
    again = [score.score_one(p) for p in score.verify_truths.corpus_files()[:10]]
    assert [(r["exit"], r["first_error"], r["read"]) for r in again] == \
        [(r["exit"], r["first_error"], r["read"]) for r in results[:10]]


def test_the_readme_states_the_figures_the_script_prints(results):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    t = score.totals(results)
    stated = (f"{t['judged_right']} of {t['documents']} documents judged right "
              f"({100 * t['judged_right'] / t['documents']:.0f}%")
    assert stated in readme, stated
    assert f"{t['rows_read']} of {t['rows']} math rows read" in readme
    doc = score.totals([score.score_one(p, from_document=True)
                        for p in score.verify_truths.corpus_files()])
    assert f"it judges {doc['judged_right']} of {doc['documents']} documents right" in readme


# Mistakes planted in the correct documents (tests/real/mutants.py): on the right of a row's
# last "=", its first and last digit up by one, its first and last sign flipped. A change in
# the last place of a rounded number (0.4502 -> 0.4503) may pass: it is within half a unit
# there plus the rounding carried from earlier lines. Every other survivor was looked at by
# hand and is listed here; anything else still called correct is a false accept.
REVIEWED_SURVIVORS = {
    # no change to the mathematics: d/dm (m X_i + b + y_i) = d/dm (m X_i + b - y_i) = X_i
    ("034-slope-partial-half-n-answer.md", 35, "last sign"),
    ("041-gd-step-by-step-m-count-clash.md", 83, "last sign"),  # 65 - 0 -> 65 + 0
    ("041-gd-step-by-step-m-count-clash.md", 96, "last sign"),
    ("048-lasso-derivative-sgn.tex", 14, "last digit"),  # ||beta||_1 -> _2: |beta| for a number
    # 082: terms that are 0 (d scores_1 / d W2_11 with scores numbered from 1: the problem's
    # scores_1 does not hold W2_11), "+ 0 + 0" -> "- 0", "-(0) log" -> "+(0) log", a sign of
    # scores_2 under d/d scores_0, and b2_1 -> b2_2 or a sign under d/d W2_11 of h1_1 W2_11 + ...
    *[("082-cs231n-two-layer-softmax-numeric-notebook.md", line, kind) for line, kind in (
        (35, "last digit"), (35, "first sign"), (35, "last sign"), (38, "first sign"),
        (38, "last sign"), (70, "first sign"), (84, "first sign"), (88, "first sign"),
        (128, "last digit"), (128, "first sign"), (128, "last sign"))],
    # not checked: the bounds of a sum over the examples (it is read as all of them) ...
    ("035-f-m-b-sum-from-zero.md", 13, "first digit"),
    ("035-f-m-b-sum-from-zero.md", 22, "first digit"),
    ("035-f-m-b-sum-from-zero.md", 23, "first digit"),
    # ... and where a case says "undefined" ("undefined if x = 0" -> "x = 1")
    ("050-mae-gradient-cases-newline.md", 20, "first digit"),
}


def test_mistakes_planted_in_correct_documents_are_caught():
    import mutants

    r = mutants.study(score.verify_truths.corpus_files())
    survived = {(name, line, kind) for name, line, kind, *_ in r["survived"]
                if not kind.endswith("(the last place of a rounded number)")}
    assert survived <= REVIEWED_SURVIVORS, sorted(survived - REVIEWED_SURVIVORS)
    assert r["mutants"] >= 600 and r["caught"] >= 0.8 * r["mutants"]
    # a change that makes its row skipped while the rest passes: the document exits 0 with
    # the planted mistake in it (a value at another point, a name the problem leaves out such
    # as scores_3 for scores_2); listed by mutants.py, and not to grow
    assert len(r["passed unjudged"]) <= 46, len(r["passed unjudged"])


def test_mistakes_planted_with_the_problem_read_from_the_document_are_caught():
    import mutants  # a changed definition changes the problem: caught when a later line is wrong

    r = mutants.study(score.verify_truths.corpus_files(), from_document=True)
    survived = {(name, line, kind) for name, line, kind, *_ in r["survived"]
                if not kind.endswith("(the last place of a rounded number)")}
    # a changed definition that no claim depends on: 065 describes a network (line 22) it
    # never differentiates, and dy/dw = sigma'(z) x holds whatever the sign of b in z (line 30)
    unused = {("065-sigmoid-neuron-chain-rule-plain-blog.md", 22, kind)
              for kind in ("first digit", "last digit", "first sign", "last sign")}
    unused.add(("065-sigmoid-neuron-chain-rule-plain-blog.md", 30, "first sign"))
    assert survived <= REVIEWED_SURVIVORS | unused, sorted(survived - REVIEWED_SURVIVORS - unused)
    assert r["mutants"] >= 80


@pytest.mark.parametrize("doc, old, new", [
    # 052: "z if z > 1, 0 if z <= 0" leaves (0, 1] out; at the point (z = 1.5) it holds, and
    # a gap on one sampled point in four passed for float trouble
    ("052", r"z & \text{if } z > 0", r"z & \text{if } z > 1"),
    # 064: the error is e; read as a letter for any number, de/dW_1 was 0 = 0 + 0
    ("064", r"\partial W_1} + \left(", r"\partial W_1} - \left("),
    # 052: cases that overlap with different values on (0, 1]
    ("052", r"0 & \text{if } z \leq 0", r"0 & \text{if } z \leq 1"),
    ("052", r"0 & \text{if } z < 0", r"0 & \text{if } z < 1"),
    # a rounded number is half a unit in its last place from the truth, plus carried
    # rounding: 2.6 for an exact 2.5, and an input given as 2.1 for 2.0, were one unit away
    # relative to the value (0.25 and 0.2) and passed
    ("052", r"1 \times 2.5 = 2.5", r"1 \times 2.5 = 2.6"),
    ("039", "x2 = 2.0", "x2 = 2.1"),
    # 082: "(fixed the indexing to start at 1 here)": its scores_1 is the problem's scores_0,
    # so scores_2 there (the problem's scores_1, which W2_11 does not reach) is wrong
    ("082", r"&= \frac{\partial{loss}}{\partial{scores_1}} \frac{\partial{scores_1}}"
            r"{\partial{\mathit{W2_{11}}}} + 0 + 0",
     r"&= \frac{\partial{loss}}{\partial{scores_2}} \frac{\partial{scores_2}}"
     r"{\partial{\mathit{W2_{11}}}} + 0 + 0"),
])


def test_a_planted_mistake_is_found(doc, old, new):
    from symgrad.checking import check

    path = next(p for p in score.verify_truths.corpus_files() if p.name.startswith(doc))
    header, text = score.author_text(path)
    options = {"lets": header["let"], "wrt": ",".join(header["wrt"]),
               "at": ", ".join(f"{k}={v}" for k, v in header.get("at", {}).items()) or None}
    assert check(text, **options).exit_code == 0
    assert old in text
    report = check(text.replace(old, new, 1), **options)
    assert report.exit_code == 1 and report.first_error == text[: text.index(old)].count("\n") + 1


def test_a_display_numbered_from_1_is_read_so_only_where_the_author_says_so():
    from symgrad.checking import check

    path = next(p for p in score.verify_truths.corpus_files() if p.name.startswith("082"))
    header, text = score.author_text(path)
    options = {"lets": header["let"], "wrt": ",".join(header["wrt"]),
               "at": ", ".join(f"{k}={v}" for k, v in header.get("at", {}).items())}
    said = "(fixed the indexing to start at 1 here)"
    assert said in text and check(text, **options).exit_code == 0
    report = check(text.replace(said, ""), **options)  # not said: which entry is unclear
    assert report.exit_code == 2 and report.first_unreadable == 35, report.render()
    # an entry one past the end elsewhere (scores_3 for scores_2 beside scores_0) is no part
    # of the model the problem leaves out: unreadable, so the document does not pass
    typo = text.replace("e^{scores_1} + e^{scores_2})}", "e^{scores_1} + e^{scores_3})}", 1)
    assert typo != text and check(typo, **options).exit_code == 2
