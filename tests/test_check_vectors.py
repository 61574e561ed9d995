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


SOFTMAX3 = {"lets": ["S = exp(X1) + exp(X2) + exp(X3)", "Yh1 = exp(X1)/S", "Yh2 = exp(X2)/S",
                     "Yh3 = exp(X3)/S", "E = -(Y1*log(Yh1) + Y2*log(Yh2) + Y3*log(Yh3))"],
            "wrt": "X1"}


def test_sympy_cross_entropy_by_the_outputs():
    y1, yh1, yh2 = sp.symbols("Y1 Yh1 Yh2", positive=True)
    e = -(y1 * sp.log(yh1))
    assert sp.diff(e, yh1) == -y1 / yh1 and sp.diff(e, yh2) == 0


def test_a_hatted_letter_named_with_h_and_the_example_superscript_of_one_example():
    # 073 (ai.stackexchange.com/questions/35741): \hat{Y} is Yh, (i) the one example
    text = r"$$\frac{\partial E}{\partial \hat{Y}_j^{(i)}} = -\frac{Y_j^{(i)}}{\hat{Y}_j^{(i)}}$$"
    assert check(text, **SOFTMAX3).exit_code == 0
    assert check(text.replace("-\\frac", "\\frac"), **SOFTMAX3).exit_code == 1


def test_the_chain_rule_sum_over_the_outputs():
    text = (r"$$\frac{\partial E}{\partial X_j^{(i)}}= \sum_{k=1}^c \frac{\partial E}"
            r"{\partial \hat{Y}_k^{(i)}}\frac{\partial \hat{Y}_k^{(i)}}{\partial X_j^{(i)}}$$")
    assert check(text, **SOFTMAX3).exit_code == 0
    one_path = text.replace(r"\sum_{k=1}^c ", "").replace("_k^{(i)}", "_j^{(i)}")
    assert check(one_path, **SOFTMAX3).exit_code == 1


def test_a_matrix_given_by_its_entries():
    jac = (r"$$\frac{\partial{\hat{Y}}}{\partial{X}} = \left(\frac{\partial \hat{Y}_j}"
           r"{\partial X_k} \right)_{j,k=1,\cdots,c}$$")
    assert check(jac, **SOFTMAX3).exit_code == 0
    x = sp.symbols("x1:4")
    s = sum(sp.exp(v) for v in x)
    yh = sp.Matrix([sp.exp(v) / s for v in x])
    assert sp.simplify(yh.jacobian(x)[0, 1] + yh[0] * yh[1]) == 0
    grid = r"\begin{pmatrix}%s\end{pmatrix}" % r" \\ ".join(
        " & ".join((rf"\hat{{Y}}_{j}(1-\hat{{Y}}_{j})" if j == k else
                    rf"-\hat{{Y}}_{j}\hat{{Y}}_{k}") for k in (1, 2, 3)) for j in (1, 2, 3))
    stated = jac.replace("$$", "", 1).rstrip("$")
    assert check(f"$${stated} = {grid}$$", **SOFTMAX3).exit_code == 0
    assert check(f"$${stated} = {grid.replace('-', '', 1)}$$", **SOFTMAX3).exit_code == 1


LASSO = {"lets": ["C = (1/n)*sum((y_i - x_i*beta)^2, i) + lam*abs(beta)"], "wrt": "beta"}
COST_048 = (r"$$ C(\boldsymbol{X},\boldsymbol{\beta})=\frac{1}{n}\left\{(\boldsymbol{y}-"
            r"\boldsymbol{X}\boldsymbol{\beta})^T(\boldsymbol{y}-\boldsymbol{X}\boldsymbol{\beta})"
            r"\right\}+\lambda\vert\vert\boldsymbol{\beta}\vert\vert_1, $$")
GRAD_048 = (r"$$ \frac{\partial C(\boldsymbol{X},\boldsymbol{\beta})}{\partial \boldsymbol{\beta}}"
            r"=-\frac{2}{n}\boldsymbol{X}^T(\boldsymbol{y}-\boldsymbol{X}\boldsymbol{\beta})+"
            r"\lambda sgn(\boldsymbol{\beta})=0, $$")


def test_sympy_lasso_derivative():
    b, lam = sp.symbols("beta lam", real=True)
    xs, ys = sp.symbols("x1:4", real=True), sp.symbols("y1:4", real=True)
    c = sp.Rational(1, 3) * sum((y - x * b) ** 2 for x, y in zip(xs, ys)) + lam * sp.Abs(b)
    want = -sp.Rational(2, 3) * sum(x * (y - x * b) for x, y in zip(xs, ys)) + lam * sp.sign(b)
    assert sp.simplify(sp.diff(c, b) - want) == 0


def test_the_examples_as_bold_vectors_with_transposes():
    # 048 (compphysics.github.io, Lasso): y and X are the columns of the examples
    assert check(COST_048, **LASSO).exit_code == 0
    assert check(COST_048.replace(r"\frac{1}{n}", r"\frac{2}{n}"), **LASSO).exit_code == 1
    assert check(GRAD_048, **LASSO).exit_code == 0
    assert check(GRAD_048.replace(r"=-\frac{2}{n}", r"=\frac{2}{n}"), **LASSO).exit_code == 1


def test_a_rearranged_equation_after_the_derivative_set_to_zero_is_not_a_claim():
    after = (GRAD_048 + "\n\nand reordering we have\n\n$$ \\boldsymbol{X}^T\\boldsymbol{X}"
             "\\boldsymbol{\\beta}+\\lambda sgn(\\boldsymbol{\\beta})=\\boldsymbol{X}^T"
             "\\boldsymbol{y}. $$")
    report = check(after, **LASSO)
    assert report.exit_code == 0
    assert report.lines[-1].verdict == "skipped"
    alone = check(after.split("and reordering")[1], **LASSO)  # without the "= 0" it is a claim
    assert alone.exit_code == 1


def test_a_row_vector_transposed_is_the_column():
    text = r"$$\nabla_w L = \begin{bmatrix} -2x_1(y - w_1x_1 - w_2x_2) & -2x_2(y - w_1x_1 - w_2x_2) \end{bmatrix}^T$$"
    problem = {"lets": ["L = (y - w1*x1 - w2*x2)^2"], "wrt": "w1,w2"}
    assert check(text, **problem).exit_code == 0
    assert check(text.replace("-2x_2", "2x_2"), **problem).exit_code == 1


NET = {"lets": ["s_0 = h1_1*W2_11 + h1_2*W2_21", "s_1 = h1_1*W2_12 + h1_2*W2_22",
                "loss = s_0^2 + s_1"], "wrt": "W2_11,W2_12,W2_21,W2_22"}


def test_sympy_gradient_by_a_weight_matrix():
    h1, h2, a, b, c, d = sp.symbols("h1 h2 a b c d")
    s0, s1 = h1 * a + h2 * c, h1 * b + h2 * d
    loss = s0**2 + s1
    got = sp.Matrix([[sp.diff(loss, a), sp.diff(loss, b)], [sp.diff(loss, c), sp.diff(loss, d)]])
    assert sp.simplify(got - sp.Matrix([[2 * s0 * h1, h1], [2 * s0 * h2, h2]])) == sp.zeros(2)


def test_the_gradient_by_a_matrix_of_numbered_weights():
    # 082 (cs231n notebook): W2 stands for W2_11 .. W2_23, laid out as its rows and columns
    lhs = r"\frac{\partial{loss}}{\partial{\mathit{W2}}}"
    parts = (r"\begin{bmatrix} \frac{\partial{loss}}{\partial{\mathit{W2_{11}}}} & "
             r"\frac{\partial{loss}}{\partial{\mathit{W2_{12}}}} \\ \frac{\partial{loss}}"
             r"{\partial{\mathit{W2_{21}}}} & \frac{\partial{loss}}{\partial{\mathit{W2_{22}}}}"
             r"\end{bmatrix}")
    assert check(f"$${lhs} = {parts}$$", **NET).exit_code == 0
    value = r"\begin{bmatrix} 2 s_0 h1_1 & h1_1 \\ 2 s_0 h1_2 & h1_2 \end{bmatrix}"
    assert check(f"$${lhs} = {value}$$", **NET).exit_code == 0
    assert check(f"$${lhs} = {value.replace('& h1_1', '& h1_2')}$$", **NET).exit_code == 1
    # a layout the reader cannot place (3 columns against 2x2) is not judged wrong
    odd = r"\begin{bmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \end{bmatrix}"
    assert check(f"$${lhs} = {odd}$$", **NET).exit_code == 2


def test_the_columns_of_an_align_row_and_a_matrix_of_values():
    text = ("$$\\begin{align*}\n\\mathit{W2} &= \\begin{bmatrix}0.19 & -0.1 \\\\ -0.02 & "
            "-0.01\\end{bmatrix} &\n\\mathit{h1_1} &= 2\n\\end{align*}$$")
    report = check(text, **NET)
    assert [(r.line, r.source[:12]) for r in report.lines] == [(2, r"\mathit{W2} "),
                                                                (3, r"\mathit{h1_1")]
    assert "value for some index" in report.lines[0].diagnosis.explanation


def test_a_line_whose_equals_are_in_markup_is_prose():
    text = "`h1` <a id='h1'></a>\n\n$$\\frac{\\partial{loss}}{\\partial{s_1}} = 1$$"
    report = check(text, **NET)
    assert report.exit_code == 0 and report.lines[0].verdict == "skipped"
    assert report.lines[0].diagnosis is None


def test_a_transposed_row_added_to_a_column():
    problem = {"lets": ["L = (y - w1*x1 - w2*x2)^2"], "wrt": "w1,w2"}
    text = (r"$$\nabla_w L = \begin{bmatrix} -2x_1 y & -2x_2 y \end{bmatrix}^T + "
            r"\begin{bmatrix} 2x_1(w_1x_1 + w_2x_2) \\ 2x_2(w_1x_1 + w_2x_2) \end{bmatrix}$$")
    assert check(text, **problem).exit_code == 0
    assert check(text.replace("-2x_2 y", "2x_2 y"), **problem).exit_code == 1


CS231N = {"lets": ["h1_1 = relu(x_1*W1_11 + x_2*W1_21 + b1_1)",
                   "h1_2 = relu(x_1*W1_12 + x_2*W1_22 + b1_2)",
                   "s_0 = h1_1*W2_11 + h1_2*W2_21 + b2_1", "s_1 = h1_1*W2_12 + h1_2*W2_22 + b2_2",
                   "s_2 = h1_1*W2_13 + h1_2*W2_23 + b2_3", "S = exp(s_0) + exp(s_1) + exp(s_2)",
                   "loss = -(t_0*log(exp(s_0)/S) + t_1*log(exp(s_1)/S) + t_2*log(exp(s_2)/S))"],
          "wrt": "W2_11",
          "at": "x_1=16, x_2=-6, W1_11=0.18, W1_12=0.04, W1_21=0.1, W1_22=0.22, b1_1=0, b1_2=0, "
                "W2_11=0.19, W2_12=-0.1, W2_13=0.1, W2_21=-0.02, W2_22=-0.01, W2_23=0.04, "
                "b2_1=0, b2_2=0, b2_3=0, t_0=0, t_1=0, t_2=1"}
H1_082 = (r"$\mathit{h1} = \max(0, \mathit{X} \mathit{W1} + \mathit{b1}) = \max (0, "
          r"\begin{bmatrix}16 & -6\end{bmatrix} \begin{bmatrix}0.18 & 0.04 \\ 0.1 & 0.22"
          r"\end{bmatrix} + \begin{bmatrix}0 & 0\end{bmatrix}) = \max (0, \begin{bmatrix}2.28 & "
          r"-0.68\end{bmatrix}) = \begin{bmatrix}2.28 & 0\end{bmatrix}$")
SCORES_082 = (r"$\mathit{scores} = \mathit{h1} \mathit{W2} + \mathit{b2} = \begin{bmatrix}2.28 & 0"
              r"\end{bmatrix} \begin{bmatrix}0.19 & -0.1 & 0.1 \\ -0.02 & -0.01 & 0.04\end{bmatrix}"
              r" + \begin{bmatrix}0. & 0. & 0.\end{bmatrix} = \begin{bmatrix}0.4332 & -0.228 & "
              r"0.228\end{bmatrix}$")


def test_sympy_the_forward_pass_of_the_notebook():
    x = sp.Matrix([[16, -6]])
    w1 = sp.Matrix([[sp.Rational("0.18"), sp.Rational("0.04")], [sp.Rational("0.1"),
                                                                 sp.Rational("0.22")]])
    h1 = (x * w1).applyfunc(lambda v: sp.Max(0, v))
    assert x * w1 == sp.Matrix([[sp.Rational("2.28"), sp.Rational("-0.68")]])
    w2 = sp.Matrix([[sp.Rational("0.19"), sp.Rational("-0.1"), sp.Rational("0.1")],
                    [sp.Rational("-0.02"), sp.Rational("-0.01"), sp.Rational("0.04")]])
    assert h1 * w2 == sp.Matrix([[sp.Rational("0.4332"), sp.Rational("-0.228"),
                                  sp.Rational("0.228")]])


def test_a_row_about_whole_vectors_and_matrices():
    assert check(H1_082, **CS231N).exit_code == 0
    assert check(H1_082.replace("2.28 & 0\\end", "3.28 & 0\\end"), **CS231N).exit_code == 1


def test_a_vector_defined_by_a_row_and_numbers_with_a_trailing_point():
    assert check(SCORES_082, **CS231N).exit_code == 0
    assert check(SCORES_082.replace("0.4332", "0.5332"), **CS231N).exit_code == 1
