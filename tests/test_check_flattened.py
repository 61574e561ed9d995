"""Text copied from a rendered page whose MathML lost its layout (056, septa97.com's MSE
gradient): ``∂u∂w0`` for a fraction, sentences glued to formulas, an elided sum of terms that the
problem names as one quantity. The mathematics is checked against SymPy, not against check."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

MSE = {"lets": ["yprediction_i = w0*x0_i + c_i",
                "MSE = (1/(2*n))*sum((yactual_i - yprediction_i)^2, i)"], "wrt": "w0"}


def _verdicts(report):
    return [(r.line, r.verdict) for r in report.lines if r.verdict != "skipped"]


def test_the_inner_derivative_has_a_minus_sign():
    w0, x0, yactual, c = sp.symbols("w0 x0 yactual c")
    assert sp.diff(yactual - (w0 * x0 + c), w0) == -x0


def test_a_flattened_partial_fraction_is_read_as_the_fraction():
    # ∂u∂w0: the two partial signs of a fraction whose bar the copy lost
    report = check("u=(yactual−yprediction)\n∂u∂w0=x0\n", **MSE)
    assert report.exit_code == 1 and report.first_error == 2, report.render()
    assert report.lines[1].diagnosis.kind == "sign-error", report.render()
    assert check("u=(yactual−yprediction)\n∂u∂w0=−x0\n", **MSE).exit_code == 0


def test_a_parenthesised_difference_with_a_unicode_minus_is_not_an_annotation():
    # (yactual−yprediction) has an operator: it is the formula, not a note such as (chain rule)
    report = check("u=(yactual−yprediction)\n∂u∂w0=−x0\n", **MSE)
    assert _verdicts(report) == [(1, "correct"), (2, "correct")], report.render()


def test_a_sentence_glued_to_a_formula_is_cut_off():
    report = check("u=(yactual−yprediction)\n∂u∂w0=x0Back to the other equation:\n", **MSE)
    assert report.exit_code == 1 and report.first_error == 2, report.render()
    assert report.lines[1].source == "∂u∂w0=x0", report.render()


def test_an_elided_definition_stands_for_its_name_below():
    # the author defines yprediction by terms the problem lumps into c_i, then reuses the text
    text = ("yprediction(x0,x1,...,xm−1)=w0x0+w1x1+...+wm−1xm−1\n"
            "u=(yactual−(w0x0+w1x1+...+wm−1xm−1))\n"
            "∂u∂w0=x0Back to the other equation:\n")
    report = check(text, **MSE)
    assert report.exit_code == 1 and report.first_error == 3, report.render()
    assert "stands for it" in report.lines[0].diagnosis.explanation
    assert check(text.replace("=x0Back", "=−x0Back"), **MSE).exit_code == 0
    # the author's text is what the report shows
    assert report.lines[1].source == "u=(yactual−(w0x0+w1x1+...+wm−1xm−1))"


def test_an_elided_text_is_replaced_only_whole_and_only_below():
    text = ("u=(yactual−(w0x0+w1x1+...+wm−1xm−1))\n"
            "yprediction(x0,x1,...,xm−1)=w0x0+w1x1+...+wm−1xm−1\n"
            "∂u∂w0=x0\n")
    report = check(text, **MSE)  # the copy comes before the definition: u stays unknown
    assert report.exit_code == 2, report.render()
    text = ("yprediction(x0,x1,...,xm−1)=w0x0+w1x1+...+wm−1xm−1\n"
            "yprediction=w0x0+w1x1+...+wm−1xm−1\n")
    report = check(text, **MSE)  # a restated definition is not read as yprediction = yprediction
    assert report.exit_code == 2, report.render()


def test_a_transpose_glued_to_its_vector_is_not_prose():
    # y=wTx and ...: 'Tx' is a transpose and a name, not the first word of a sentence
    from symgrad.checking.rowtext import glued_prose

    for s in ("y=wTx and then the bias", "y=xSum", "L = w0x0Back"):
        assert glued_prose(s, 0, len(s)) == len(s), s
    s = "∂MSE∂w0=∂MSE∂u∗∂u∂w0The constants are cancelled out."
    assert s[: glued_prose(s, 0, len(s))] == "∂MSE∂w0=∂MSE∂u∗∂u∂w0"


def test_the_gradient_named_as_the_list_of_its_partials_is_skipped_with_a_reason():
    # nothing is computed; the list runs over weights the problem leaves out (w1, ..., wm−1)
    text = "∇MSE(w0,w1,...,wm−1)=∂MSE∂w0,∂MSE∂w1,...,∂MSE∂wm−1\n"
    line = check(text, **MSE).lines[0]
    assert line.verdict == "skipped" and "partial derivatives" in line.diagnosis.explanation
    from symgrad.checking.claims import gradient_as_partials

    assert not gradient_as_partials(r"\nabla L = (2w, \frac{\partial L}{\partial b})")
    assert not gradient_as_partials("∇MSE=∂MSE∂w0,∂J∂w1")


def test_a_primed_name_transposed_is_unreadable_with_its_reason():
    # 076: w' = [w; w_0] and X' are the document's names; T is never defined. The row stays
    # unreadable (a claim about dL/dw the reader cannot follow is never skipped as if true)
    problem = {"lets": ["L = -sum(log(sigmoid(t_i*(w*x_i + w0))), i)"], "wrt": "w"}
    text = r"$$\frac{dL}{dw} = -\frac{d}{dw}\log \sigma\left( w^{'\top} X^{'\top} T \right)$$"
    report = check(text, **problem)
    assert report.exit_code == 2 and report.lines[0].verdict == "unreadable", report.render()
    assert "a primed w transposed" in report.lines[0].diagnosis.explanation
