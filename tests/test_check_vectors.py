"""Vectors written whole in real derivations: a layer label over a vector's name, the softmax of
a vector, derivatives by a vector (gradient and Jacobian), a vector written out for a row read
entry by entry, matrices with elided entries, and max(0, vector). The lines are the authors'
(074: datascience.stackexchange.com/questions/64746; 082: the cs231n notebook). The truths
are checked against sympy.diff here, not against symgrad's output."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

SOFTMAX2 = {"lets": ["A0 = exp(Z0)/(exp(Z0) + exp(Z1))", "A1 = exp(Z1)/(exp(Z0) + exp(Z1))",
                     "E = -(T0*log(A0) + T1*log(A1))"],
            "wrt": "Z0,Z1", "at": "Z0=1.75, Z1=1.75, T0=0, T1=1"}

JACOBIAN_074 = (r"$$\frac{\partial{Softmax(Z^{O})}}{\partial{Z^{O}}} = \begin{pmatrix}"
                r"Z^{O}_{0}(1-Z^{O}_{0})&-Z^{O}_{0}Z^{O}_{1}&...&-Z^{O}_{0}Z^{O}_{n}\\"
                r"-Z^{O}_{1}Z^{O}_{0}&Z^{O}_{1}(1-Z^{O}_{1})&...&-Z^{O}_{1}Z^{O}_{n}\\...&...&&...\\"
                r"-Z^{O}_{n}Z^{O}_{0}&-Z^{O}_{n}Z^{O}_{1}&...&Z^{O}_{n}(1-Z^{O}_{n})\end{pmatrix}$$")


def _verdicts(text, **problem):
    report = check(text, **problem)
    return [r.verdict for r in report.lines if r.verdict != "skipped" or r.diagnosis], report


def test_sympy_softmax_jacobian_is_in_the_outputs_not_the_logits():
    z0, z1 = sp.symbols("z0 z1", real=True)
    a0 = sp.exp(z0) / (sp.exp(z0) + sp.exp(z1))
    a1 = sp.exp(z1) / (sp.exp(z0) + sp.exp(z1))
    assert sp.simplify(sp.diff(a0, z0) - a0 * (1 - a0)) == 0
    assert sp.simplify(sp.diff(a0, z1) + a0 * a1) == 0
    at = {z0: 1.75, z1: 1.75}
    assert abs(float(sp.diff(a0, z0).subs(at)) - 0.25) < 1e-12  # not 1.75*(1-1.75)


def test_the_jacobian_written_with_the_logits_is_wrong():
    report = check(JACOBIAN_074, **SOFTMAX2)
    assert report.exit_code == 1 and report.first_error == 1


def test_the_jacobian_written_with_the_outputs_is_not_wrong():
    right = JACOBIAN_074.replace("Z^{O}_{0}", "A^{O}_{0}").replace("Z^{O}_{1}", "A^{O}_{1}")
    right = right.replace("Z^{O}_{n}", "A^{O}_{n}").replace(r"{Softmax(A^{O})}", r"{Softmax(Z^{O})}")
    report = check(right, **SOFTMAX2)
    assert report.first_error is None  # the dots are not checked: skipped, never wrong
    (line,) = [r for r in report.lines if r.source.startswith("\\frac")]
    assert line.verdict == "skipped"


def test_a_full_jacobian_in_either_layout():
    text = (r"$$\frac{\partial A^{O}}{\partial Z^{O}} = \begin{pmatrix}A_0(1-A_0) & -A_0A_1\\ "
            r"-A_1A_0 & A_1(1-A_1)\end{pmatrix}$$")
    assert check(text, **SOFTMAX2).exit_code == 0
    assert check(text.replace("-A_0A_1", "A_0A_1"), **SOFTMAX2).exit_code == 1
    # an asymmetric Jacobian: rows for the outputs, or rows for the inputs
    lin = {"lets": ["u1 = 2*x1 + 3*x2", "u2 = 5*x1 + 7*x2", "L = u1*u2"], "wrt": "x1"}
    x1, x2 = sp.symbols("x1 x2")
    u = sp.Matrix([2 * x1 + 3 * x2, 5 * x1 + 7 * x2])
    assert u.jacobian([x1, x2]) == sp.Matrix([[2, 3], [5, 7]])
    jac = r"$$\frac{\partial{u}}{\partial{x}} = \begin{bmatrix}%s\end{bmatrix}$$"
    assert check(jac % r"2 & 3 \\ 5 & 7", **lin).exit_code == 0
    assert check(jac % r"2 & 5 \\ 3 & 7", **lin).exit_code == 0
    assert check(jac % r"2 & 3 \\ 5 & 8", **lin).exit_code == 1


def test_a_vector_written_out_for_a_row_read_entry_by_entry():
    text = r"$$A^{O} - T = \begin{pmatrix}0.5&-0.5\end{pmatrix}$$"
    assert check(text, **SOFTMAX2).exit_code == 0
    assert check(text.replace("-0.5", "0.5"), **SOFTMAX2).exit_code == 1


def test_the_gradient_by_a_labelled_vector():
    text = (r"$$\frac{\partial{E(A^{O},T)}}{\partial{A^{O}}} = -\frac{T_{i}}{A_{i}^{O}} = "
            r"\begin{pmatrix}-\frac{0}{0.5}&-\frac{1}{0.5}\end{pmatrix} = "
            r"\begin{pmatrix}0&-2\end{pmatrix}$$")
    assert check(text, **SOFTMAX2).exit_code == 0
    assert check(text.replace("&-2", "&2"), **SOFTMAX2).exit_code == 1


def test_a_log_of_a_vector_is_not_read():
    text = r"$$E = -\sum_{i=0}^{1} T_{i} \ln(Softmax(Z^{O}))$$"
    report = check(text, **SOFTMAX2)
    assert report.exit_code == 2
