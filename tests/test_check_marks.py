"""Marks authors put in formulas that have a clear meaning in calculus (issue 9, documents
whose verdict was already right but some rows were unreadable), in the authors' spelling.

The truths come from the problem through symgrad's engine (checked against sympy.diff in
the engine tests); the readings are the subject here.
"""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

LINE = {"lets": ["L = (y - w*x)^2"], "wrt": "w"}


def _dL_dw():
    w, x, y = sp.symbols("w x y")
    return sp.diff((y - w * x) ** 2, w)


def test_a_semicolon_separates_the_parameters_of_a_function():
    # 080 (Deep Learning book notes): \tilde{J}(\theta; x, y), J(w; X; y)
    w, x, y = sp.symbols("w x y")
    assert sp.simplify(_dL_dw() - (-2 * x * (y - w * x))) == 0
    text = r"$$\frac{\partial L(w; x, y)}{\partial w} = -2x(y - wx)$$"
    report = check(text, **LINE)
    assert (report.exit_code, report.status) == (0, "correct"), report.render()
    wrong = check(text.replace("-2x", "2x"), **LINE)
    assert (wrong.exit_code, wrong.first_error) == (1, 1), wrong.render()


def test_a_function_of_parameters_the_problem_lacks_is_skipped_not_unreadable():
    text = (r"\[ \tilde{J}(\theta; x, y) = J(\theta; x, y) + \alpha \Omega(\theta) \]" "\n\n"
            r"$$\frac{\partial L}{\partial w} = -2x(y - wx)$$")
    report = check(text, **LINE)
    assert not report.unreadable, report.render()
    assert report.exit_code == 0, report.render()


HINGE = {"lets": ["Li = max(0, w_j*x - w_y*x + D)"], "wrt": "w_y"}


def _hinge_truth():
    w_j, w_y, x, D = sp.symbols("w_j w_y x D")
    # one class j besides the true class y: the sum over j != y_i has that one term
    return sp.diff(sp.Max(0, w_j * x - w_y * x + D), w_y)


def test_a_sum_over_the_classes_other_than_the_true_class_has_the_problems_one_term():
    # 072 (svm_note.ipynb): \sum_{j \neq y_{i}} with the problem's classes w_j and w_y
    w_j, w_y, x, D = sp.symbols("w_j w_y x D")
    assert _hinge_truth().subs({w_j: 2, w_y: 1, x: 1, D: 1}) == -1
    text = (r"$$ \nabla_{w_{y_{i}}} L_{i} = -(\sum_{j \neq y_{i}} \mathbb{1}(w_{j}^{T}x_{i} - "
            r"w_{y_{i}}^{T}x_{i} + \Delta > 0))x_{i} $$")
    report = check(text, **HINGE)
    assert (report.exit_code, report.status) == (0, "correct"), report.render()
    wrong = check(text.replace("= -(", "= ("), **HINGE)
    assert (wrong.exit_code, wrong.first_error) == (1, 1), wrong.render()
    text = (r"$$ \nabla_{w_{y_{i}}} L_{i} = \sum_{j \neq y_{i}} \nabla_{w_{y_{i}}}\max(0, "
            r"w_{j}^{T}x_{i} - w_{y_{i}}^{T}x_{i} + \Delta) $$")
    assert check(text, **HINGE).exit_code == 0


def test_a_sum_over_classes_the_problem_does_not_letter_stays_unreadable():
    # three classes j, k, y: \sum_{j \neq y_i} has two terms, the body writes one
    problem = {"lets": ["Li = max(0, w_j*x - w_y*x + D) + max(0, w_k*x - w_y*x + D)"],
               "wrt": "w_y"}
    text = (r"$$ \nabla_{w_{y_{i}}} L_{i} = \sum_{j \neq y_{i}} \nabla_{w_{y_{i}}}\max(0, "
            r"w_{j}^{T}x_{i} - w_{y_{i}}^{T}x_{i} + \Delta) $$")
    report = check(text, **problem)
    assert report.exit_code == 2 and report.unreadable, report.render()


def test_a_sum_with_no_terms_before_a_stray_equals_sign_is_skipped_not_unreadable():
    # 072: "L_{i} = \sum_{j \neq y_{i}} = \max(0, s_{j} - s_{y_{i}} + \Delta)" (a typo)
    text = (r"$$ L_{i} = \sum_{j \neq y_{i}} = \max(0, w_{j}^{T}x_{i} - w_{y_{i}}^{T}x_{i} + \Delta) $$"
            "\n\n" r"$$ \nabla_{w_{y_{i}}} L_{i} = -x_{i} $$")
    report = check(text, **HINGE)
    assert not report.unreadable, report.render()
    assert report.lines[0].verdict == "skipped", report.render()


LAYERS = {"lets": ["z21 = w1_11*x1 + w1_12*x2 + b1", "a21 = sigmoid(z21)",
                   "z31 = w2_11*a21 + w2_12*a22", "a3 = sigmoid(z31)", "C = (1/2)*(a3 - y)^2"],
          "wrt": "w2_11"}


def test_a_derivative_by_a_layer_the_problem_does_not_number_is_skipped():
    # 068: after renumbering the layers, "\frac{\partial }{\partial w^3_{11}}=a^2_1(a^3_1-y)..."
    a21, a22, w, y = sp.symbols("a21 a22 w2_11 y")
    a3 = 1 / (1 + sp.exp(-(w * a21 + sp.Symbol("w2_12") * a22)))
    truth = sp.diff((a3 - y) ** 2 / 2, w)
    assert sp.simplify(truth - a21 * (a3 - y) * a3 * (1 - a3)) == 0
    right = r"$$\frac{\partial C}{\partial w^2_{11}}=a^2_1(a^3-y)\sigma'(z^3_1)$$"
    text = r"$$\frac{\partial }{\partial w^3_{11}}=a^2_1(a^3_1-y)\sigma'(z^3_1)$$" "\n\n" + right
    report = check(text, **LAYERS)
    assert not report.unreadable, report.render()
    assert report.lines[0].verdict == "skipped", report.render()
    assert report.exit_code == 0, report.render()
    wrong = check(text.replace("(a^3-y)", "(y-a^3)"), **LAYERS)
    assert (wrong.exit_code, wrong.first_error) == (1, 3), wrong.render()


def test_a_maximum_over_classes_the_problem_leaves_out_is_skipped_with_the_name():
    # 021 (stats.SE): l(y) = \max( 0, 1 + \underset{r \neq y_i}{ \max } W_r \cdot x_i - ...)
    problem = {"lets": ["l = max(0, 1 + s - W_y*x_i)"], "wrt": "W_y"}
    W_y, s_, x = sp.symbols("W_y s x_i")
    assert sp.diff(sp.Max(0, 1 + s_ - W_y * x), W_y).subs({W_y: 0, s_: 0, x: 1}) == -1
    for defn in (r"$$l(y) = \max( 0, 1 + \underset{r \neq y_i}{ \max } W_r \cdot x_i - "
                 r"W_{y_i} \cdot x_i)$$",
                 r"$$l(y) = \max( 0, 1 + \max_{r \neq y_i} W_r \cdot x_i - W_{y_i} \cdot x_i)$$"):
        report = check(defn, **problem)
        assert report.lines[0].verdict == "skipped", report.render()
        assert "W_r" in report.lines[0].diagnosis.explanation, report.render()
    known = r"$$l(y) = \max( 0, 1 + \max_{r} W_y \cdot x_i - W_{y_i} \cdot x_i)$$"
    report = check(known, **problem)
    assert report.unreadable and report.exit_code == 2, report.render()


def test_a_spreadsheet_formula_after_an_equals_sign_is_skipped_not_unreadable():
    # 083 (DeepLearning.AI forum, Excel): "Cost = =-((Y*LOG(A2))+((1-Y)*LOG(1-A2)))"
    problem = {"lets": ["A2 = sigmoid(A1)", "L = -(Y*log(A2) + (1 - Y)*log(1 - A2))"],
               "wrt": "A1"}
    A1, Y = sp.symbols("A1 Y")
    a2 = 1 / (1 + sp.exp(-A1))
    assert sp.simplify(sp.diff(-(Y * sp.log(a2) + (1 - Y) * sp.log(1 - a2)), A1) - (a2 - Y)) == 0
    text = "Cost = =-((Y*LOG(A2))+((1-Y)*LOG(1-A2)))\n\ndL/dA1 = A2 - Y\n"
    report = check(text, **problem)
    assert not report.unreadable, report.render()
    assert (report.exit_code, report.lines[0].verdict) == (0, "skipped"), report.render()


LOGISTIC = {"lets": ["h_i = sigmoid(theta*x_i + c_i)",
                     "J = -(1/n)*sum(y_i*log(h_i) + (1 - y_i)*log(1 - h_i), i)"], "wrt": "theta"}


def test_a_product_the_author_defines_from_other_names_is_not_read_as_the_problems_product():
    # 061 (aman.ai): "\theta x^{(i)} = \theta_{0}+\theta_{1} x_{1}^{(i)}+\cdots" is theta^T x,
    # which the problem writes theta*x_i + c_i; the rows that write \theta x^{(i)} mean that
    theta, x, c = sp.symbols("theta x c")
    h = 1 / (1 + sp.exp(-(theta * x + c)))
    assert sp.simplify(sp.log(h) - (-sp.log(1 + sp.exp(-theta * x)))).subs(
        {theta: 1, x: 1, c: 1}) != 0  # read as the problem's product, the row would be wrong
    text = (r"\[\theta x^{(i)} = \theta_{0}+\theta_{1} x_{1}^{(i)}+\cdots+\theta_{n} x_{n}^{(i)}\]"
            "\n\n"
            r"\[\log h_{\theta}\left(x^{(i)}\right)=\log \frac{1}{1+e^{-\theta x^{(i)}}}"
            r"=-\log \left(1+e^{-\theta x^{(i)}}\right)\]" "\n\n"
            r"\[\frac{\partial J(\theta)}{\partial \theta} = \frac{1}{m}\sum_{i=1}^{m}"
            r"\left(h_{\theta}\left(x^{(i)}\right)-y^{(i)}\right) x^{(i)}\]")
    report = check(text, **LOGISTIC)
    assert not report.unreadable, report.render()
    assert [r.verdict for r in report.lines if r.verdict != "skipped"] == ["correct"], \
        report.render()
    assert "line 1" in report.lines[1].diagnosis.explanation, report.render()


def test_y_hat_is_the_prediction_the_loss_compares_with_y():
    # 019 (ai.SE): "\frac{\delta L}{\delta w_6} &= \frac{\delta L}{\delta \hat{y}} \cdot
    # \frac{\delta \hat{y}}{\delta w_6}" with the problem's output O3 in L = BCE(y, O3)
    problem = {"lets": ["O3 = sigmoid(w6*O2 + b3)", "L = -(y*log(O3) + (1 - y)*log(1 - O3))"],
               "wrt": "w6"}
    w6, O2, b3, y = sp.symbols("w6 O2 b3 y")
    o3 = 1 / (1 + sp.exp(-(w6 * O2 + b3)))
    assert sp.simplify(sp.diff(-(y * sp.log(o3) + (1 - y) * sp.log(1 - o3)), w6)
                       - (o3 - y) * O2) == 0
    text = (r"$$ \begin{aligned} \frac{\delta L}{\delta w_6} &= \frac{\delta L}{\delta \hat{y}} "
            r"\cdot \frac{\delta \hat{y}}{\delta w_6} \\ &= \left(\hat{y}-y\right)O_2 "
            r"\end{aligned} $$")
    report = check(text, **problem)
    assert (report.exit_code, report.status) == (0, "correct"), report.render()
    wrong = check(text.replace(r"\left(\hat{y}-y\right)", r"\left(y-\hat{y}\right)"), **problem)
    assert (wrong.exit_code, wrong.status) == (1, "wrong"), wrong.render()
    # two quantities in the loss: which one \hat{y} is, is not guessed
    two = {"lets": ["O3 = sigmoid(w6*O2 + b3)", "L = (y - O3)^2 + (y - O2)^2"], "wrt": "w6"}
    report = check(text, **two)
    assert report.unreadable and report.exit_code == 2, report.render()
