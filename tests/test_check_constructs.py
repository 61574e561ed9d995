"""Every construct the real derivations use (issue 9's list), in the authors' own spelling.

Each case is a line as the public pages write it (the source is named), read and judged
right, and the same line with a planted mistake (the sign or a factor changed), judged
wrong at that line. The truths come from the problem through symgrad's engine, which the
engine tests check against sympy.diff and finite differences; the readings here are the
subject.
"""

from __future__ import annotations

import pytest

from symgrad.checking import check

MSE = {"lets": ["h_i = theta0 + theta1*x_i", "J = mean((h_i - y_i)^2, i)"], "wrt": "theta1"}
LINE = {"lets": ["L = (y - w*x)^2"], "wrt": "w"}
SOFTMAX = {"lets": ["S = exp(o1) + exp(o2) + exp(o3)", "p1 = exp(o1)/S", "p2 = exp(o2)/S",
                    "p3 = exp(o3)/S", "y3 = 1 - y1 - y2",
                    "L = -(y1*log(p1) + y2*log(p2) + y3*log(p3))"], "wrt": "o1"}

HINGE = {"lets": ["Li = max(0, w_j*x - w_y*x + D)"], "wrt": "w_y"}
LOGISTIC = {"lets": ["h_i = sigmoid(theta*x_i + c_i)",
                     "J = -(1/n)*sum(y_i*log(h_i) + (1 - y_i)*log(1 - h_i), i)"], "wrt": "theta"}

# (id, problem, the author's text, (text to replace, planted mistake)) -- the mistake must
# make the first judged line wrong
CASES = [
    # 1. index notation and sums over examples (001, 017, 034, 029, 053)
    ("x^{(i)}, 1/m sum", MSE,
     r"$$\frac{\partial J}{\partial \theta_1} = \frac{2}{m}\sum_{i=1}^m (\theta_0 + \theta_1 "
     r"x^{(i)} - y^{(i)}) x^{(i)}$$", ("\\frac{2}{m}", "\\frac{1}{m}")),
    ("x^i superscript index", MSE,
     r"$$\frac{\partial J}{\partial \theta_1} = \frac{2}{m}\sum_{i=1}^m (\theta_0 + \theta_1 x^i"
     r" - y^i) x^i$$", ("- y^i", "+ y^i")),
    ("mx_i product", {"lets": ["J = mean((m*x_i + b - y_i)^2, i)"], "wrt": "m"},
     r"$$\frac{\partial J}{\partial m} = \frac{2}{n}\sum_{i=1}^{n} (mx_i + b - y_i) x_i$$",
     ("(mx_i + b - y_i) x_i", "(mx_i + b - y_i)")),
    ("p_j component index", SOFTMAX, r"$$\frac{\partial L}{\partial o_i} = p_i - y_i$$",
     ("p_i - y_i", "y_i - p_i")),
    ("x_{ij} two indices", {"lets": ["z = w1*x_11 + w2*x_12", "L = z^2"], "wrt": "w1"},
     r"$$\frac{\partial L}{\partial w_1} = 2 z x_{11}$$", ("x_{11}", "x_{12}")),
    # 2. function notation (001, 027, 005, 035, 046)
    ("J(theta) after d/dtheta", MSE,
     r"$$\frac{\partial}{\partial \theta_1} J(\theta) = \frac{2}{m}\sum_{i=1}^m (h_\theta(x^{(i)})"
     r" - y^{(i)}) x^{(i)}$$", ("- y^{(i)})", "+ y^{(i)})")),
    ("loss(w) in a fraction", {"lets": ["loss = (y - w*x)^2"], "wrt": "w"},
     r"$$\frac{d\, loss(w)}{dw} = -2x(y - wx)$$", ("-2x", "2x")),
    ("f(m,b)", {"lets": ["f = (y - (m*x + b))^2"], "wrt": "m"},
     r"$$\frac{\partial f(m,b)}{\partial m} = -2x(y - (mx + b))$$", ("-2x", "-2")),
    ("l(z) with l'(z)", {"lets": ["z = w*x", "l = max(0, 1 - y*z)"], "wrt": "w"},
     "$$ l(z) = \\max\\{0, 1 - yz\\} $$\n$$ l'(z) = -y [1 - yz > 0] $$",
     ("-y [", "y [")),
    # 3. derivative forms (017, 032, 031, 009, 020, 044, 024)
    (r"\nabla_w L", LINE, r"$$\nabla_w L = -2x(y - wx)$$", ("-2x", "-x")),
    (r"\nabla L", LINE, r"$$\nabla L = -2x(y - wx)$$", ("-2x", "2x")),
    ("d/dm applied", {"lets": ["J = (m*x + b - y)^2/2"], "wrt": "m"},
     r"$$\frac d{dm}\left[\frac12(mx+b-y)^2\right] = (mx+b-y)\cdot x$$", ("\\cdot x", "")),
    (r"\frac{dC}{dw_1}", {"lets": ["C = (y - w1*x)^2"], "wrt": "w1"},
     r"$$\frac{dC}{dw_1} = -2x(y - w_1 x)$$", ("-2x", "2x")),
    ("L'(w)", LINE, r"$L(w) = (y - wx)^2$, so $L'(w) = -2x(y - wx)$.", ("-2x", "-2")),
    (r"\sigma'(z)", {"lets": ["a = sigmoid(z)", "C = (y - a)^2/2"], "wrt": "z"},
     r"$$\frac{\partial C}{\partial z} = (a - y)\sigma'(z)$$", ("(a - y)", "(y - a)")),
    (r"\therefore{} and \because{...}", {"lets": ["t = 2*x^2 + 1", "L = t^2"], "wrt": "x"},
     # 036 (commres wiki, eqnarray*): braces that only group
     "\\begin{eqnarray*} \\because{ \\frac {dt}{dx} = 4x } \\\\ \\therefore{} \\frac{dL}{dx} "
     "& = & 2t * 4x \\end{eqnarray*}", ("= 4x", "= 2x")),
    (r"{\cal{l}}'_2 a name in braces, primed", {"lets": ["l_2 = x^2/2"], "wrt": "x"},
     # 049 (quantxu blog): the prime written before the subscript
     r"Since its gradient is linear, i.e., ${\cal{l}}'_2(x)=x$, the batch gradient ...",
     ("=x$", "=2x$")),
    (r"{a \over b}", LINE, r"$${\delta L \over \delta w} = -2x(y - wx)$$", ("-2x", "2x")),
    ("unicode partial", LINE, "∂L/∂w = −2x(y − wx)", ("−2x", "2x")),
    # 4. symbols outside the problem (031, 039, 041)
    (r"\eta in an update", LINE, r"$$w \leftarrow w - \eta \cdot (-2x(y - wx))$$",
     ("w - \\eta", "w + \\eta")),
    (r"\alpha in an update", LINE, r"$$w := w + \alpha \cdot 2x(y - wx)$$",
     ("w + \\alpha", "w - \\alpha")),
    # 5. Greek subscripts (001, 046, Huber's L_delta)
    (r"h_\theta", {"lets": ["h_theta = theta*x", "J = (h_theta - y)^2"], "wrt": "theta"},
     r"$$\frac{\partial J}{\partial \theta} = 2(h_\theta - y)x$$", ("2(h", "(h")),
    (r"L_\delta", {"lets": ["L_delta = (y - w*x)^2/2"], "wrt": "w"},
     r"$$\frac{\partial L_\delta}{\partial w} = -(y - wx)x$$", ("-(y", "(y")),
    # 6. layout (020, 030, 033, 039, 027, 041)
    ("claim in a sentence", LINE, "The derivative of the loss is $-2x(y - wx)$.", ("-2x", "2x")),
    (r"\( \) inline", LINE, r"We get \(\frac{dL}{dw} = -2x(y - wx)\) in one step.",
     ("-2x", "2x")),
    ("bullets and numbers", LINE,
     "- $\\frac{dL}{dw} = -2x(y - wx)$\n1. $\\frac{dL}{dw} = 2x(wx - y)$\n", ("= -2x", "= 2x")),
    ("Markdown quote", LINE, "> $$\\frac{dL}{dw} = -2x(y - wx)$$\n", ("-2x", "2x")),
    ("whole .tex file", LINE,
     "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n\\begin{align*}\n"
     "\\frac{dL}{dw} &= -2x(y - wx)\n\\end{align*}\n\\end{document}\n", ("-2x", "2x")),
    ("sentence-ending period", LINE, "So $\\frac{dL}{dw} = -2x(y - wx)$.", ("-2x", "2x")),
    (r"\tfrac{d}{du} inline", {"lets": ["u = y - w*x", "L = u^2"], "wrt": "w"},
     r"Since $\tfrac{d}{du} u^2 = 2u$, we get $\frac{dL}{dw} = -2xu$.", ("2u$,", "u$,")),
    (r"\\[2ex] outside $$", LINE, "First line\\\\[2ex]\n$$\\frac{dL}{dw} = -2x(y - wx)$$\n",
     ("-2x", "2x")),
    # 7. cases (003, 043, 045, 050)
    ("cases", {"lets": ["L = abs(y - w*x)"], "wrt": "w"},
     r"$$\frac{dL}{dw} = \begin{cases} -x & y - wx > 0 \\ x & y - wx < 0 \end{cases}$$",
     ("-x & y", "x & y")),
    (r"cases with \text{if}, \newline", {"lets": ["r = relu(x)"], "wrt": "x"},
     r"$$\frac{\partial ReLU(x)}{\partial x} = \begin{cases} 0 & \text{if } x < 0 \newline "
     r"1 & \text{if } x > 0 \end{cases}$$", ("0 & \\text{if } x < 0", "1 & \\text{if } x < 0")),
    (r"cases via \left\{ array \right.", {"lets": ["C = lam*abs(beta)"], "wrt": "beta"},
     # 048 (compphysics week 36): the display ends "\right. $$", its period is no sentence end
     r"$$ \frac{d \vert \beta\vert}{d \beta}=\mathrm{sgn}(\beta)=\left\{\begin{array}{cc} 1 & "
     r"\beta > 0 \\-1 & \beta < 0, \end{array}\right. $$", ("1 & \\beta > 0", "-1 & \\beta > 0")),
    # 8. transposes and bold (015, 045, 046, 051)
    (r"\theta^T x", {"lets": ["h = sigmoid(theta*x)", "L = -(y*log(h) + (1-y)*log(1-h))"],
                     "wrt": "theta"},
     r"$$\frac{\partial L}{\partial \theta} = (\sigma(\theta^T x) - y) x$$", ("- y)", "+ y)")),
    (r"w^{\top}", LINE, r"$$\frac{\partial L}{\partial w} = -2x(y - w^{\top} x)$$",
     ("-2x", "2x")),
    (r"\boldsymbol{\hat y}", {"lets": ["L = (y - yhat)^2"], "wrt": "yhat"},
     r"$$\frac{\partial L}{\partial \boldsymbol{\hat y}} = -2(\boldsymbol{y} - "
     r"\boldsymbol{\hat y})$$", ("-2(", "2(")),
    # 9. found in the second batch of real pages (054-068)
    (r"\quad [\text{chain rule}] note", {"lets": ["o = w*x", "E = (t - o)^2/2"], "wrt": "w"},
     # 054 (Raschka's FAQ): each align row ends with the rule it used, in brackets
     r"$$\frac{\partial E}{\partial w} = -(t - o) \frac{\partial o}{\partial w} \quad "
     r"[\text{chain rule}]$$", ("-(t - o)", "(t - o)")),
    (r"\hat{y_i} and x_{i1}", {"lets": ["yhat_i = w1*x1_i + w2*x2_i + b",
                                        "mse = mean((y_i - yhat_i)^2, i)"], "wrt": "w1"},
     # 055 (math.techqa.club 3961889): the hat over the subscripted name, feature 1 of example i
     r"$ \dfrac{\partial}{\partial w_1} mse = \dfrac{-2}{n} \sum_{i=1}^{n} (y_i - "
     r"\hat{y_i}) x_{i1} $", ("x_{i1}", "x_{i2}")),
    (r"x_1^{(i)} feature of example", {"lets": ["yhat_i = w1*x1_i + w2*x2_i + b",
                                                "mse = mean((y_i - yhat_i)^2, i)"], "wrt": "w1"},
     r"$$\frac{\partial mse}{\partial w_1} = -\frac{2}{n} \sum_{i=1}^{n} (y^{(i)} - "
     r"\hat{y}^{(i)}) x_1^{(i)}$$", ("x_1^{(i)}", "x_2^{(i)}")),
    (r"\sum_{k}^{ } empty limit", {"lets": ["C = -(y1*log(s1) + y2*log(s2))"], "wrt": "s1"},
     # 060 (jpark7ca, softmax): an empty upper limit, ln written as a word
     r"$$C = -\sum_{k}^{ } y_{k}ln(s_{k} )$$" "\n\n"
     r"$$\frac{\partial C}{\partial s_1} = -\frac{y_1}{s_1}$$", (r"-\frac{y_1}", r"\frac{y_1}")),
    (r"\nabla_{\theta_j}J(\theta)", {"lets": ["h_i = sigmoid(theta*x_i + c_i)",
                                                "J = -(1/n)*sum(y_i*log(h_i) + (1 - y_i)*log(1 - h_i), i)"],
                                       "wrt": "theta"},
     # 061 (aman.ai primer): a subscripted name under the nabla
     r"\[\nabla_{\theta_j}J(\theta) = \frac{1}{m}\sum_{i=1}^{m}\left(h_{\theta}\left("
     r"x^{(i)}\right)-y^{(i)}\right) x_{j}^{(i)}\]", (r"\frac{1}{m}\sum", r"\sum")),
    ("a sentence in Chinese", {"lets": ["o = w*x", "E = (t - o)^2"], "wrt": "w"},
     # 067 (a machine-translated mirror of a Stack Overflow question): prose, not an equation
     "考虑一个 N=3 和 D=1 的线性回归模型,输入输出对如下:\n\n" r"$$\frac{dE}{dw} = -2(t - o)x$$",
     ("-2(t - o)x", "2(t - o)x")),
    ("a table row gradient(b1) : numbers", {"lets": ["h_i = b0 + b1*x_i",
                                                     "MSE = (1/(2*n))*sum((h_i - y_i)^2, i)"],
                                            "wrt": "b1", "at": "x_1=1, x_2=1, x_3=2, y_1=22, "
                                                               "y_2=3, y_3=3, b0=0, b1=1"},
     # 067: the answer's space-aligned table ends with the gradient's row
     "gradient(b1)    : (-21 - 2 - 2) / 3 = -25 / 3 = -8.3333", ("-21 - 2 - 2", "-21 - 2 - 1")),
    ("layer superscripts z^2_1, w^1_{11}, a^3", {"lets": [
        "z21 = w1_11*x1 + w1_12*x2 + b1", "a21 = sigmoid(z21)",
        "z31 = w2_11*a21 + w2_12*a22 + w2_13*a23", "a3 = sigmoid(z31)", "C = (1/2)*(a3 - y)^2"],
        "wrt": "w2_11"},
     # 068 (datascience.stackexchange 11743): the deep-learning book's layer-first names
     "$z^2_1=w^1_{11}x_1+w^1_{12}x_2+b_1$\n\n"
     r"$\frac{\partial C}{\partial w^2_{11}} = a^2_1 (a^3 - y)\sigma'(z^3_1)$",
     ("a^2_1 (a^3 - y)", "a^2_2 (a^3 - y)")),
    (r"\odot on scalars", {"lets": ["a = sigmoid(z)", "C = (a - y)^2/2"], "wrt": "z"},
     r"$$\frac{\partial C}{\partial z} = (a - y) \odot \sigma'(z)$$", ("(a - y)", "(y - a)")),
    ("a KaTeX page's doubled text", {"lets": ["L = w^2"], "wrt": "w"},
     # 066 (ai.ppradosh.com): a copy of a KaTeX page has each formula as text, then as TeX
     "L=w2L = w^2\n\n" r"dLdw=2w\frac{dL}{dw} = 2w",
     (r"dLdw=2w\frac{dL}{dw} = 2w", r"dLdw=3w\frac{dL}{dw} = 3w")),
    ("data rows, then the model without indices", {"lets": ["h_i = b0 + b1*x_i",
                                                            "MSE = (1/(2*n))*sum((h_i - y_i)^2, i)"],
                                                   "wrt": "b1"},
     # 067: "x1=1, x2=1" are data; the problem's x_1, x_2 stay the examples' inputs
     "y1=22, x1=1, y2=3, x2=1, y3=3, x3=2\n\nh = b0 + b1*x\n", ("b0 + b1*x", "b0 - b1*x")),
    ("a sum over j inside a term after a sum over j", SOFTMAX,
     # 057 (sunhaozhe.github.io): the quotient rule, each sum over its own j
     r"$$\frac{\partial p_1}{\partial o_1} = \frac{ \frac{\partial \exp(o_1)}{\partial o_1} \sum_j "
     r"\exp(o_j) - \frac{\partial \sum_j \exp(o_j)}{\partial o_1} \exp (o_1) }{(\sum_j "
     r"\exp(o_j))^2}$$", (r"- \frac{\partial \sum_j", r"+ \frac{\partial \sum_j")),
    ("a case after a row for every index", SOFTMAX,
     # 057: "If $i = k$," continues only the i = k chains of the general row before it
     r"$$\frac{\partial p_i}{\partial o_k} = \frac{\partial}{\partial o_k} \frac{\exp(o_i)}"
     r"{\sum_j \exp(o_j)}$$ If $i = k$," "\n"
     r"$$\frac{\partial p_i}{\partial o_k} = \frac{\exp(o_k) \sum_j \exp(o_j) - \exp(o_k)^2}"
     r"{(\sum_j \exp(o_j))^2} \\ = p_k(1 - p_k)$$", ("p_k(1 - p_k)", "p_k(1 + p_k)")),
    ("an increment \\Delta x in a difference quotient", {"lets": ["f = x^2"], "wrt": "x"},
     # 080 (ickma2311.github.io): f(x) = x^2 by the difference quotient, in one align
     "if we have \\(f(x) = x^2\\), then\n"
     r"\[ \begin{align} (x + \Delta x)^2 - x^2 &= 2x\Delta x + \Delta x^2 \\ "
     r"\frac{f(x + \Delta x) - f(x)}{\Delta x} &= 2x + \Delta x \end{align} \]",
     (r"&= 2x + \Delta x \end", r"&= 2x - \Delta x \end")),
    ("index ranges after the row", SOFTMAX,
     # 073 (ai.stackexchange 35741): ",\:\: i=1,\cdots,n : j=1,\cdots,c" closes each display
     r"$$\frac{\partial L}{\partial o_j} = p_j - y_j,\:\: i=1,\cdots,n : j=1,\cdots,c$$",
     ("p_j - y_j", "y_j - p_j")),
    ("a prime on a parenthesized expression", {"lets": ["P = lam*(w1^2 + w2^2)"],
                                                "wrt": "w1"},
     # 079 (math.techqa.club 4607950): "Taking the derivative with respect to w_1 ..."
     r"$$(\lambda(w_1^2 + w_2^2))' = 0 \cdot (w_1^2 + w_2^2) + \lambda \cdot 2w_1 = "
     r"2\lambda w_1.$$", (r"\lambda \cdot 2w_1", r"\lambda \cdot w_1")),
    ("nested subscripts w_{y_i}", HINGE,
     # 072 (a GitHub notebook on the multiclass SVM loss): the weight of the true class y_i;
     # \Delta is the problem's D as \delta is d
     r"$$\nabla_{w_{y_{i}}} L_{i} = -\mathbb{1}(w_{j}^{T}x_{i} - w_{y_{i}}^{T}x_{i} + \Delta > 0)"
     r"x_{i}$$", (r"= -\mathbb{1}", r"= \mathbb{1}")),
    ("a case named in the sentence before", HINGE,
     # 072: "When it is greater than 0:" then the derivative on that side of the hinge
     "we can immediately see that the gradient is 0. When it is greater than 0: <br><br>\n"
     r"$$\nabla_{w_{y_{i}}} L_{i} = \nabla_{w_{y_{i}}}(w_{j}^{T}x_{i} - w_{y_{i}}^{T}x_{i} + "
     r"\Delta) = -x_{i}$$", (r"= -x_{i}", r"= x_{i}")),
    ("a sum over the examples where a condition holds",
     {"lets": ["L = (1/2)*w^2 + C*sum(max(0, 1 - y_i*(w*x_i + b)), i)"], "wrt": "w"},
     # 071 (a chat-assistant answer): the SVM subgradient, summed over the margin violators
     r"$$\nabla_w L(w, b) = w - C \sum_{i : y_i(w^T x_i + b) < 1} y_i x_i$$",
     (r"< 1} y_i x_i", r"> 1} y_i x_i")),
    ("the Kronecker delta", SOFTMAX,
     # 058 (zakariapz.github.io): both cases of the softmax derivative combined
     r"\[ \frac{\partial p_j}{\partial o_i} = p_j(\delta_{ij} -p_i). \]",
     (r"(\delta_{ij} -p_i)", r"(\delta_{ij} +p_i)")),
    ("a name before parentheses it does not depend on", SOFTMAX,
     # 058: y_j (p_i - \delta_{ij}) multiplies; for j = 3 the problem's y3 = 1 - y1 - y2 is a
     # quantity, and y3(p_i) had been read as y3 "of p_i"
     r"\[ \frac{\partial L}{\partial o_i} = \sum_j^C y_j (p_i -\delta_{ij}). \]",
     (r"(p_i -\delta_{ij})", r"(p_i +\delta_{ij})")),
    ("theta^T x^{(i)}, the whole dot product", LOGISTIC,
     # 077 (Andrew Ng's course notes, quoted): h_\theta(x) = \sigma(\theta^\top x); the problem
     # stands for theta by the component theta_j and puts the others' share in c_i
     r"$$\frac{\partial J(\theta)}{\partial \theta_j} = \frac{1}{m}\sum_{i=1}^m \left("
     r"\sigma\left(\theta^\top x^{(i)}\right) - y^{(i)}\right) x_j^{(i)}$$",
     (r"- y^{(i)}\right)", r"+ y^{(i)}\right)")),
    ("e, the error, in a Leibniz fraction", {
        "lets": ["H1 = W1*x1 + c1", "HA1 = sigmoid(H1)", "O1 = v1*HA1 + d1", "OA1 = sigmoid(O1)",
                 "O2 = v2*HA1 + d2", "OA2 = sigmoid(O2)", "err = (OA1 - t1)^2 + (OA2 - t2)^2"],
        "wrt": "W1"},
     # 064 (stats.stackexchange 313142): "the derivative of the error $$e$$"; e was read as
     # a letter for any number, so de/dW_1 was 0 and any chain of such factors passed
     r"$$\frac{\partial e}{\partial W_1} = \left( \frac{\partial e}{\partial OA_1} "
     r"\frac{\partial OA_1}{\partial O_1} \frac{\partial O_1}{\partial HA_1} \right) "
     r"\frac{\partial HA_1}{\partial H_1} \frac{\partial H_1}{\partial W_1} + \left( "
     r"\frac{\partial e}{\partial OA_2} \frac{\partial OA_2}{\partial O_2} "
     r"\frac{\partial O_2}{\partial HA_1} \right) \frac{\partial HA_1}{\partial H_1} "
     r"\frac{\partial H_1}{\partial W_1}$$",
     (r"W_1} + \left(", r"W_1} - \left(")),
]


@pytest.mark.parametrize("name, problem, text, mistake", CASES, ids=[c[0] for c in CASES])
def test_read_as_written_and_judged_right(name, problem, text, mistake):
    report = check(text, **problem)
    assert (report.exit_code, report.status) == (0, "correct"), report.render()
    assert not report.unreadable


@pytest.mark.parametrize("name, problem, text, mistake", CASES, ids=[c[0] for c in CASES])
def test_the_same_line_with_a_mistake_is_wrong(name, problem, text, mistake):
    old, new = mistake
    assert old in text
    wrong = text.replace(old, new, 1)
    report = check(wrong, **problem)
    assert (report.exit_code, report.status) == (1, "wrong"), report.render()
    line = text[: text.index(old)].count("\n") + 1
    assert report.first_error == line, report.render()


# --- exit codes a grader can trust ------------------------------------------------------


@pytest.mark.parametrize("text", [
    pytest.param("", id="empty"),
    pytest.param("We differentiate the loss and get the answer in the book.\n", id="prose-only"),
    pytest.param("\x7f\x07 ## @@ !!\n", id="junk"),
    pytest.param("$$\\frac{dL}{dm}$$\n", id="a-derivative-named-but-not-stated"),
])
def test_nothing_checkable_exits_2(text):
    try:
        report = check(text, example="l1")
    except Exception as e:  # noqa: BLE001 - junk may be refused outright, which is also exit 2
        assert type(e).__name__ == "ParseError"
        return
    assert report.exit_code == 2 and not report.ok
    assert report.status in ("nothing-checked", "unreadable")


def test_one_wrong_and_one_unreadable_line_exits_1_and_lists_both():
    text = "dL/dm = sign(y - yhat)*x\ndL/dm = q + \\foo\n"
    report = check(text, example="l1")
    assert report.exit_code == 1 and report.status == "wrong"
    assert report.first_error == 1 and report.first_unreadable == 2
    data = report.to_dict()
    assert [(x["line"], x["verdict"]) for x in data["lines"]] == [(1, "wrong"), (2, "unreadable")]
    assert data["first_unreadable"] == 2 and data["checked"] == 1


def test_an_unreadable_line_and_no_wrong_one_is_not_a_pass():
    report = check("dL/dm = -sign(y - yhat)*x\ndL/dm = \\foo{x}\n", example="l1")
    assert report.exit_code == 2 and report.status == "unreadable" and not report.ok


def test_a_row_after_an_unreadable_left_side_is_not_judged_against_the_chain_before():
    text = "dL/dm = -sign(y - yhat)*x\n\\foo{q} = 3\n= 7\n"
    report = check(text, example="l1")
    verdicts = {r.line: r.verdict for r in report.lines}
    assert verdicts[3] == "skipped", report.render()


def test_a_block_that_gives_an_input_another_meaning_is_not_judged_against_the_problem():
    # 036 (commres wiki): a side example in which y = (2x^2 + 1)^2, while the problem's y is data
    text = ("\\begin{eqnarray*} y & = & (2x^2 + 1)^2 \\\\ \\frac{dy}{dx} & = & 16x^3 + 8x "
            "\\end{eqnarray*}\n$$\\frac{\\partial L}{\\partial b} = -2x(y - (a + bx))$$\n")
    report = check(text, lets=["L = (y - (a + b*x))^2"], wrt="b")
    verdicts = [(r.line, r.verdict) for r in report.lines]
    assert verdicts == [(1, "skipped"), (1, "skipped"), (2, "correct")], report.render()
    assert "gave y another meaning" in report.lines[1].diagnosis.explanation
    wrong = check(text.replace("-2x(y", "2x(y"), lets=["L = (y - (a + b*x))^2"], wrt="b")
    assert (wrong.exit_code, wrong.first_error) == (1, 2), wrong.render()


def test_a_program_line_with_grouped_digits_is_code_not_an_unreadable_formula():
    # 010 (math.techqa.club): the book's Python listing sits between the formulas
    text = ("iterations = 100_000\n"
            "$$\\frac{\\partial L}{\\partial w} = -2x(y - wx)$$\n")
    report = check(text, **LINE)
    assert [(r.line, r.verdict) for r in report.lines] == [(1, "skipped"), (2, "correct")], \
        report.render()
    assert report.exit_code == 0


def test_a_parenthesis_left_open_where_its_place_changes_the_meaning_is_not_guessed():
    # 070 (math.techqa.club 2979764): "(1-\sigma(HW_{out})H" closed at the end of the line
    # reads (1 - sigma(HW) H), which is wrong, while the author meant (1 - sigma(HW)) H: a
    # correct derivation was judged wrong. Now the line is unreadable, with the reason.
    problem = {"lets": ["yhat = sigmoid(H*W_out)"], "wrt": "W_out"}
    text = (r"$\frac{\partial}{\partial W_{out}} \sigma(HW_{out})$ = "
            r"$\sigma(HW_{out})(1-\sigma(HW_{out})H$")
    report = check(text, **problem)
    assert report.exit_code == 2 and report.status == "unreadable", report.render()
    assert "never closed" in report.lines[-1].diagnosis.explanation
    # where nothing follows the inner ')', closing at the end is the only reading
    text = (r"$\frac{\partial}{\partial W_{out}} \sigma(HW_{out})$ = "
            r"$H\sigma(HW_{out})(1-\sigma(HW_{out})$")
    assert check(text, **problem).exit_code == 0
    assert check(r"$$\frac{\partial L}{\partial w} = -2x(y - wx$$", **LINE).exit_code == 0


@pytest.mark.parametrize("problem", [{}, {"lets": ["L = (h - y)^2"], "wrt": "y"}])
def test_vectors_whose_sizes_do_not_fit_are_unreadable_not_an_internal_error(problem):
    # 082 (a cs231n notebook): a 1x2 row times a 1x3 row; SymPy's ShapeError escaped (exit 3),
    # with the problem given and when check read the problem from the document
    text = ("$$h = \\max(0, \\begin{bmatrix}16 & -6\\end{bmatrix} "
            "\\begin{bmatrix}0.18 & 0.04 & 0.1\\end{bmatrix})$$\n"
            "$$L = (h - y)^2$$\n$$\\frac{\\partial L}{\\partial y} = -2(h - y)$$\n")
    report = check(text, **problem)
    assert [r.verdict for r in report.lines if r.ok is not None] == \
        ["unreadable", "correct", "correct"], report.render()
    assert "sizes do not fit" in report.lines[0].diagnosis.explanation
    assert report.exit_code == 2


def test_one_examples_gradient_written_for_the_whole_loss_is_named():
    # 071 (a chat-assistant answer): "the subgradient of the loss" written with y_i x_i and no
    # sum. dJ/dtheta1 of the mean is (2/3) sum_k (h_k - y_k) x_k; the line is one term of it.
    text = r"$$\frac{\partial J}{\partial \theta_1} = 2(h_\theta(x^{(i)}) - y^{(i)}) x^{(i)}$$"
    report = check(text, **MSE)
    assert report.exit_code == 1, report.render()
    assert report.lines[0].diagnosis.kind == "one-example"
    assert "sum over the examples is missing" in report.lines[0].diagnosis.explanation
    wrong = check(text.replace("= 2(", "= 3("), **MSE)  # not one example's term either
    assert wrong.lines[0].diagnosis.kind == "not-equal", wrong.render()


def test_a_piece_without_the_sentence_that_names_its_case_is_wrong():
    # the hinge's active piece alone, with no "when it is greater than 0" before it
    text = r"$$\nabla_{w_{y_{i}}} L_{i} = -x_{i}$$"
    assert check(text, **HINGE).exit_code == 1
    # and the sentence names the other side: the piece is wrong there
    assert check("When it is less than 0:\n" + text, **HINGE).exit_code == 1



def test_a_bias_shared_by_the_examples_is_not_the_rest_of_a_dot_product():
    # w^T x_i + b with the problem's w*x_i + b: b is not the other features' share, and
    # reading it so would count b twice
    problem = {"lets": ["J = mean((w*x_i + b - y_i)^2, i)"], "wrt": "w"}
    text = r"$$\frac{\partial J}{\partial w} = \frac{2}{n}\sum_{i=1}^n (w^T x_i + b - y_i) x_i$$"
    assert check(text, **problem).exit_code == 0
    assert check(text.replace("+ b", "+ 2b"), **problem).exit_code == 1


# (L = (y - wx)^2, so dL/dw = -2x(y - wx) = -2xy + 2wx^2, by hand)
CUT = (r"$\small \frac{\partial L}{\partial w} = -2x(y - wx) \\[2ex]\Tiny\underset{\text{expand}}"
       r"= -2xy + 2wx^2 \\[")


def test_a_formula_the_copied_page_ends_inside_is_skipped_and_its_whole_steps_read():
    # 077 (a quoted derivation in one $...$ span, steps split by \\[2ex], sized with \small and
    # \Tiny): the stored copy stops right after the last step's "\\["
    report = check("In what follows:\n" + CUT, **LINE)
    assert [r.verdict for r in report.lines if r.verdict != "skipped" or r.diagnosis] == \
        ["correct", "correct", "skipped"], report.render()
    assert "ends inside this formula" in report.lines[-1].diagnosis.explanation
    assert report.exit_code == 0
    wrong = check("In what follows:\n" + CUT.replace("+ 2wx^2", "- 2wx^2"), **LINE)
    assert (wrong.exit_code, wrong.first_error) == (1, 2), wrong.render()
    # 033: "... DB $$= \frac{dL}{dB}$$ is equal to $$(a " at the end of the page
    text = "$$\\frac{dL}{dw} = -2x(y - wx)$$ and then it is equal to $$(a "
    assert check(text, **LINE).exit_code == 0
    # an unclosed formula with a paragraph after it is not the end of the copy: unreadable
    report = check(text + "\n\nMore text follows here.\n", **LINE)
    assert report.exit_code == 2 and report.status == "unreadable", report.render()


def test_amsmath_dots_are_terms_not_written():
    # 069 (a forum question): "+ \dotsi +" between the first and the last term of a sum
    text = (r"$$\frac{\partial J}{\partial \theta_1} = \frac{2}{m}\sum_{i=1}^m (h_\theta(x^{(i)}) -"
            r" y^{(i)}) x^{(i)} \\ = \frac{2}{m} \left [ (h_\theta(x^{(1)}) - y^{(1)}) x^{(1)} + "
            r"\dotsi + (h_\theta(x^{(m)}) - y^{(m)}) x^{(m)} \right ]$$")
    report = check(text, **MSE)
    assert [r.verdict for r in report.lines] == ["correct", "skipped"], report.render()
    assert "terms not written" in report.lines[1].diagnosis.explanation


SIGMOID = {"lets": ["g = sigmoid(z)"], "wrt": "z"}
# 075 (math.stackexchange 1159033, a mirror): the asker quotes the paper's line to dispute it
DISPUTED = ("However, I don't follow how\n"
            "$$ \\frac{\\partial g(z)}{\\partial z} = -g(z)(1-g(z)) $$\n"
            "If I differentiate g(z) w.r.t. z I get:\n"
            "$$ \\frac{\\partial g(z)}{\\partial z} = \\frac{e^{-z}}{(1+e^{-z})^2} $$\n")


def test_a_formula_the_author_says_they_do_not_follow_is_not_their_claim():
    # d/dz 1/(1+e^{-z}) = e^{-z}/(1+e^{-z})^2 (by hand); the quoted -g(1-g) is minus that
    report = check(DISPUTED, **SIGMOID)
    assert [r.verdict for r in report.lines if r.ok is not None or r.diagnosis] == \
        ["skipped", "correct"], report.render()
    assert "I don't follow how" in report.lines[1].diagnosis.explanation
    assert report.exit_code == 0
    wrong = check(DISPUTED.replace("\\frac{e^{-z}}", "\\frac{-e^{-z}}"), **SIGMOID)
    assert (wrong.exit_code, wrong.first_error) == (1, 4), wrong.render()
    # said without the doubt, the same line is the author's, and wrong
    plain = check(DISPUTED.replace("However, I don't follow how", "So we have"), **SIGMOID)
    assert (plain.exit_code, plain.first_error) == (1, 2), plain.render()


def test_a_derivative_named_in_words_with_nothing_stated_is_not_a_claim():
    # 075: "I get the negative of what is expressed there (... the partial differential of
    # - L.H.S. of (1)):" then only the derivative, of a formula named by its number
    lone = "$$ \\frac{\\partial (-\\text{L.H.S. (1)} )}{\\partial w_j} $$\n"
    report = check(DISPUTED + "Also, when doing (2) I get:\n" + lone, **SIGMOID)
    assert report.exit_code == 0, report.render()
    assert "nothing said about it" in report.lines[-1].diagnosis.explanation
    # a row that goes on from it ("= ...") would be judged against it: still unreadable
    report = check(DISPUTED + lone + "$$ = 0 $$\n", **SIGMOID)
    assert report.exit_code == 2 and report.status == "unreadable", report.render()


def test_the_statements_after_one_that_gives_an_input_another_meaning_on_its_line_are_skipped():
    # 065 (mohdvasim.com, plain text): the post's other example on one bullet, where y is the
    # label; the neuron's y = sigma(z) follows. dy/dw = sigma(z)(1 - sigma(z)) x (by hand).
    problem = {"lets": ["z = w*x + b", "y = sigmoid(z)"], "wrt": "w"}
    text = ("- Input: x = [0.5, 0.1], label y = 0\n\n"
            "y = σ(z), z = wx + b\ndy/dw = (dy/dz) · (dz/dw)\n= σ(z)(1 − σ(z)) · x\n")
    report = check(text, **problem)
    assert report.exit_code == 0, report.render()
    assert "gave x another meaning" in report.lines[1].diagnosis.explanation
    wrong = check(text.replace("· x\n", "\n"), **problem)
    assert (wrong.exit_code, wrong.first_error) == (1, 5), wrong.render()


NEURON = {"lets": ["z = w*x + b", "y = sigmoid(z)"], "wrt": "w"}


def test_a_unicode_sigma_applied_is_the_sigmoid_as_backslash_sigma_is():
    # 065: "dy/dw = (dy/dz) · (dz/dw) = σ'(z) · x = σ(z)(1 − σ(z)) · x" in plain text
    text = "y = σ(z), z = wx + b\ndy/dw = σ(z)(1 − σ(z)) · x\n"
    report = check(text, **NEURON)
    assert [r.verdict for r in report.lines] == ["correct", "correct", "correct"], report.render()
    wrong = check(text.replace("(1 − σ(z))", "(1 + σ(z))"), **NEURON)
    assert (wrong.exit_code, wrong.first_error) == (1, 2), wrong.render()


def test_a_plain_text_copy_that_ends_inside_a_formula_is_skipped_there():
    # 065: the stored page stops inside the numeric trace, "y = σ(0.40) = 1/(1 + e^"
    # (0.6 * 0.5 + 0.1 = 0.4 by hand)
    at = {**NEURON, "at": "w=0.6, x=0.5, b=0.1"}
    text = "z = 0.6 × 0.5 + 0.1 = 0.40\ny = σ(0.40) = 1/(1 + e^"
    report = check(text, **at)
    assert report.exit_code == 0, report.render()
    assert "ends inside this formula" in report.lines[-1].diagnosis.explanation
    assert check(text.replace("0.40", "0.45"), **at).exit_code == 1
    # the same line with more text after it is not the end of the copy
    assert check(text + "\nand then more words here\n", **at).exit_code == 2


def test_a_value_after_at_is_a_condition_not_a_claim():
    # 052 (a worked ReLU example): "Note: At $z=0$, the derivative is undefined"; z is a
    # quantity of the problem (1.5 at the point), and the note was judged a wrong value of z
    problem = {"lets": ["z = w*x + b", "f = relu(z)"], "wrt": "x", "at": "w=2.5, b=-1, x=1"}
    note = "Note: At $z=0$, the derivative is undefined (discontinuous).\n"
    report = check(note + "\n$$z = wx + b = 2.5 \\times 1 - 1 = 1.5$$\n", **problem)
    assert report.exit_code == 0, report.render()
    assert check("$z = 0$\n", **problem).exit_code == 1  # stated on its own, it is a claim

