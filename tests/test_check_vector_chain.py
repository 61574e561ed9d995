"""The cs231n two-layer notebook's vector notation (082: github.com/g-eoj/cs231n,
two-layer-backprop-math.ipynb), each construct in the author's spelling: a sum continued on the
next row of an ``align`` (``&+``), the chain rule through a whole vector
(``\\frac{\\partial loss}{\\partial scores}\\frac{\\partial scores}{\\partial W2_{11}}``), a
nabla written out or applied to a vector, the example's one-hot data put in, the outer product
of a column and a one-row matrix (``h1^T \\nabla loss``), and a display that numbers the scores
from 1 where the problem numbers them from 0. The truths are checked with sympy.diff here."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

LETS = ["h1_1 = relu(x_1*W1_11 + x_2*W1_21 + b1_1)", "h1_2 = relu(x_1*W1_12 + x_2*W1_22 + b1_2)",
        "scores_0 = h1_1*W2_11 + h1_2*W2_21 + b2_1", "scores_1 = h1_1*W2_12 + h1_2*W2_22 + b2_2",
        "scores_2 = h1_1*W2_13 + h1_2*W2_23 + b2_3",
        "S = exp(scores_0) + exp(scores_1) + exp(scores_2)",
        "loss = -(trueprob_0*log(exp(scores_0)/S) + trueprob_1*log(exp(scores_1)/S)"
        " + trueprob_2*log(exp(scores_2)/S))"]
AT = ("x_1=16, x_2=-6, W1_11=0.18, W1_12=0.04, W1_21=0.1, W1_22=0.22, b1_1=0, b1_2=0, "
      "W2_11=0.19, W2_12=-0.1, W2_13=0.1, W2_21=-0.02, W2_22=-0.01, W2_23=0.04, b2_1=0, b2_2=0, "
      "b2_3=0, trueprob_0=0, trueprob_1=0, trueprob_2=1")
PROBLEM = {"lets": LETS, "wrt": "W2_11,W2_12,W2_13,W2_21", "at": AT}
SUM = r"e^{scores_0} + e^{scores_1} + e^{scores_2}"


def _lines(text):
    report = check(text, **PROBLEM)
    return {r.line: r for r in report.lines}, report


def test_sympy_the_one_hot_loss_gives_softmax_minus_one_hot():
    s0, s1, s2 = sp.symbols("s0 s1 s2", real=True)
    t = sp.symbols("t0 t1 t2", real=True)
    total = sp.exp(s0) + sp.exp(s1) + sp.exp(s2)
    loss = -sum(tk * sp.log(sp.exp(sk) / total) for tk, sk in zip(t, (s0, s1, s2)))
    one_hot = {t[0]: 0, t[1]: 0, t[2]: 1}
    alternate = -s2 + sp.log(total)
    assert sp.simplify(loss.subs(one_hot) - alternate) == 0
    assert sp.simplify(sp.diff(loss, s0).subs(one_hot) - sp.exp(s0) / total) == 0
    assert sp.simplify(sp.diff(loss, s2).subs(one_hot) - (-1 + sp.exp(s2) / total)) == 0
    assert sp.simplify(sp.diff(loss, s0) - sp.exp(s0) / total) != 0  # only for the example's data


def test_a_sum_continued_with_and_plus_on_the_next_row():
    text = ("$$\\begin{align*}\n"
            f"loss &= -(trueprob_0) \\log{{(\\frac{{e^{{scores_0}}}}{{{SUM}}})}} \\\\\n"
            f"&+ -(trueprob_1)\\log{{(\\frac{{e^{{scores_1}}}}{{{SUM}}})}} \\\\ \n"
            f"&+ -(trueprob_2)\\log{{(\\frac{{e^{{scores_2}}}}{{{SUM}}})}} \\\\\n"
            "&= 1.051375468504\n\\end{align*}$$\n")
    lines, report = _lines(text)
    assert lines[2].verdict == "correct" and report.exit_code == 0
    wrong = text.replace("&+ -(trueprob_2)", "&+ -(trueprob_1)")
    assert check(wrong, **PROBLEM).exit_code == 1


def test_the_chain_rule_through_a_whole_vector_sums_over_its_entries():
    row = (r"\frac{\partial{loss}}{\partial{\mathit{W2_{11}}}}"
           r" = \frac{\partial{loss}}{\partial{scores}} \frac{\partial{scores}}{\partial{\mathit{W2_{11}}}}")
    lines, report = _lines(f"$${row}$$\n")
    assert lines[1].verdict == "correct" and report.exit_code == 0
    assert check(f"$${row.replace('W2_{11}', 'W2_{12}', 1)}$$\n", **PROBLEM).exit_code == 1


def test_a_nabla_written_out_by_the_scores_and_applied_to_them():
    text = (r"$\nabla loss = \begin{bmatrix}\frac{\partial{loss}}{\partial{scores_0}} & "
            r"\frac{\partial{loss}}{\partial{scores_1}}  & \frac{\partial{loss}}{\partial{scores_2}}"
            r"\end{bmatrix}$" "\n\n"
            r"$$\nabla loss(scores) = \begin{bmatrix}\text{softmax}(scores_0) & "
            r"\text{softmax}(scores_1) & -1 + \text{softmax}(scores_2)\end{bmatrix}$$" "\n")
    lines, report = _lines(text)
    assert lines[1].verdict == "correct" and lines[3].verdict == "correct"
    assert report.exit_code == 0
    assert check(text.replace(r"& -1 + \text", r"& 1 + \text"), **PROBLEM).exit_code == 1


def test_the_examples_one_hot_data_put_in():
    text = ("$$\\begin{align*}\n\\frac{\\partial{loss}}{\\partial{scores_0}}\n"
            f"&= \\frac{{\\partial}}{{\\partial{{scores_0}}}}(-scores_2 + \\log{{({SUM})}}) \\\\\n"
            f"&= 0 + \\frac{{e^{{scores_0}}}}{{({SUM})}}\n\\end{{align*}}$$\n")
    lines, report = _lines(text)
    assert lines[2].verdict == "correct" and lines[4].verdict == "correct"
    assert report.exit_code == 0
    # the data fill in only what the line leaves out: a wrong class is still wrong
    assert check(text.replace("(-scores_2 +", "(-scores_0 +"), **PROBLEM).exit_code == 1


def test_a_column_times_a_matrix_written_on_one_row_is_the_outer_product():
    text = ("$$\\begin{align*}\n\\mathit{h1}^\\mathsf{T} \\nabla loss(scores)\n"
            "&= \\begin{bmatrix}2.28 \\\\ 0\\end{bmatrix} \\begin{bmatrix}0.429052723714 & "
            "0.221490524653 & -0.650543248367\\end{bmatrix} \\\\\n"
            "&= \\begin{bmatrix}\n0.978240210068 & 0.504998396209 & -1.483238606277 \\\\\n"
            "0 & 0 & 0\n\\end{bmatrix}.\n\\end{align*}$$\n")
    lines, report = _lines(text)
    assert lines[2].verdict == "correct" and lines[4].verdict == "correct"
    assert report.exit_code == 0
    wrong = text.replace("0.978240210068 & 0.5", "0.978240210068 & 0.6")
    assert check(wrong, **PROBLEM).exit_code == 1


def test_a_display_numbering_the_scores_from_1_is_unreadable_not_guessed():
    text = ("$$\\begin{align*}\n"
            "\\frac{\\partial{loss}}{\\partial{\\mathit{W2_{11}}}}\n"
            "&= \\frac{\\partial{loss}}{\\partial{scores_1}} \\frac{\\partial{scores_1}}"
            "{\\partial{\\mathit{W2_{11}}}} +\n"
            "\\frac{\\partial{loss}}{\\partial{scores_3}} \\frac{\\partial{scores_3}}"
            "{\\partial{\\mathit{W2_{11}}}} \\\\\n"
            "&= \\frac{\\partial{loss}}{\\partial{scores_1}} \\frac{\\partial{scores_1}}"
            "{\\partial{\\mathit{W2_{11}}}} + 0\n\\end{align*}$$\n\n"
            "$$\\frac{\\partial{loss}}{\\partial{\\mathit{W2_{11}}}} = "
            "\\frac{\\partial{loss}}{\\partial{scores_0}}(\\mathit{h1_1})$$\n")
    lines, report = _lines(text)
    assert [lines[k].verdict for k in (2, 5)] == ["unreadable", "skipped"]
    for k in (2, 5):
        assert "numbers scores from 1" in lines[k].diagnosis.explanation
    assert lines[8].verdict == "correct"  # another display: the problem's numbering again
    assert report.exit_code == 2
    # scores_0 with scores_3 is no other numbering: not explained as one
    report = check(text.replace("partial{scores_1}} \\frac{\\partial{scores_1}", "partial{scores_0}} "
                                "\\frac{\\partial{scores_0}", 1), **PROBLEM)
    assert "numbers scores from 1" not in report.lines[0].diagnosis.explanation


def test_a_later_bare_nabla_is_by_the_entries_it_was_written_out_by():
    nabla = (r"$\nabla loss = \begin{bmatrix}\frac{\partial{loss}}{\partial{scores_0}} & "
             r"\frac{\partial{loss}}{\partial{scores_1}}  & "
             r"\frac{\partial{loss}}{\partial{scores_2}}\end{bmatrix}$" "\n\n")
    grad = ("$$\\begin{align*}\n\\frac{\\partial{loss}}{\\partial{\\mathit{W2}}}\n"
            "&= \\begin{bmatrix} \\mathit{h1_1} \\\\ \\mathit{h1_2} \\end{bmatrix} \n"
            "\\begin{bmatrix} \\frac{\\partial{loss}}{\\partial{scores_0}} & "
            "\\frac{\\partial{loss}}{\\partial{scores_1}} & "
            "\\frac{\\partial{loss}}{\\partial{scores_2}} \\end{bmatrix} \\\\\n"
            "&= \\mathit{h1}^\\mathsf{T} \\nabla loss.\n\\end{align*}$$\n")
    lines, report = _lines(nabla + grad)
    assert [lines[k].verdict for k in (1, 4, 7)] == ["correct"] * 3
    assert report.exit_code == 0
