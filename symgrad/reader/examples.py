"""Built-in examples: small named problems that `symgrad derive --example NAME` runs."""

from __future__ import annotations

from symgrad.errors import ProblemError
from symgrad.records import field, record


@record
class Example:
    """A named problem given as the same text a user would type on the command line."""

    name: str
    summary: str
    lets: tuple[str, ...]
    wrt: str
    at: str
    lr: str | None = None
    title: str = ""
    variants: tuple[tuple[str, str | None, str], ...] = field(default=())  # (label, loss, at)
    closing: str = ""


EXAMPLES: dict[str, Example] = {
    e.name: e
    for e in [
        Example(
            name="l1",
            summary="One-weight regression yhat = m*x + 4 with the L1 loss |y - yhat| (the default)",
            lets=("yhat = m*x + 4", "L = abs(y - yhat)"),
            wrt="m",
            at="x=2, y=10, m=1.5",
            lr="0.1",
            title="The L1 loss gradient, explained from scratch",
            variants=(
                ("L1 (absolute error)", None, ""),
                ("L2 (squared error)", "L = (y - yhat)^2", ""),
                ("L1, outlier", None, "y=100"),
                ("L2, outlier", "L = (y - yhat)^2", "y=100"),
            ),
            closing=(
                "The L1 gradient $-\\operatorname{sign}(y - \\hat{y})\\, x$ has the constant "
                "magnitude $|x|$ whatever the size of the error, so an outlier cannot pull "
                "harder than any other point; the L2 gradient $-2 (y - \\hat{y})\\, x$ grows "
                "with the error."
            ),
        ),
        Example(
            name="l2",
            summary="The same regression with the squared (L2) loss (y - yhat)^2",
            lets=("yhat = m*x + 4", "L = (y - yhat)^2"),
            wrt="m",
            at="x=2, y=10, m=1.5",
            lr="0.1",
            title="The L2 loss gradient",
        ),
        Example(
            name="logistic",
            summary="Logistic regression: z = w*x + b, p = sigmoid(z), binary cross-entropy",
            lets=("z = w*x + b", "p = sigmoid(z)", "L = -(y*log(p) + (1 - y)*log(1 - p))"),
            wrt="w,b",
            at="x=2, y=1, w=0.5, b=-1",
            lr="0.1",
            title="Logistic regression with binary cross-entropy",
        ),
        Example(
            name="relu-neuron",
            summary="A ReLU neuron with a squared loss: h = relu(w*x + b), L = (y - h)^2",
            lets=("h = relu(w*x + b)", "L = (y - h)^2"),
            wrt="w,b",
            at="x=1.5, y=2, w=0.8, b=0.1",
            lr="0.05",
            title="A ReLU neuron with the squared loss",
        ),
        Example(
            name="huber",
            summary="Regression with the Huber loss (delta = 1) at a point in its linear zone",
            lets=("yhat = m*x + 4", "L = huber(y - yhat, 1)"),
            wrt="m",
            at="x=2, y=10, m=1.5",
            lr="0.1",
            title="The Huber loss gradient",
        ),
        Example(
            name="hinge",
            summary="A linear SVM with the hinge loss: f = w1*x1 + w2*x2 + b, L = max(0, 1 - y*f)",
            lets=("f = w1*x1 + w2*x2 + b", "L = hinge(y*f)"),
            wrt="w1,w2,b",
            at="x1=1, x2=2, y=1, w1=0.2, w2=-0.1, b=0.1",
            lr="0.1",
            title="A linear SVM: the hinge loss subgradient",
        ),
        Example(
            name="softmax",
            summary="Softmax cross-entropy over three named scores, target class 2 (p - onehot)",
            lets=("z1 = w1*x", "z2 = w2*x", "z3 = w3*x", "L = softmax_ce(2, z1, z2, z3)"),
            wrt="w1,w2,w3",
            at="x=1, w1=1, w2=2, w3=0.5",
            lr="0.5",
            title="Softmax cross-entropy",
        ),
        Example(
            name="network",
            summary="A 2-2-2 sigmoid network with squared error (Mazur's backpropagation example)",
            lets=(
                "net_h1 = w1*i1 + w2*i2 + b1", "out_h1 = sigmoid(net_h1)",
                "net_h2 = w3*i1 + w4*i2 + b1", "out_h2 = sigmoid(net_h2)",
                "net_o1 = w5*out_h1 + w6*out_h2 + b2", "out_o1 = sigmoid(net_o1)",
                "net_o2 = w7*out_h1 + w8*out_h2 + b2", "out_o2 = sigmoid(net_o2)",
                "E = (t1 - out_o1)^2/2 + (t2 - out_o2)^2/2",
            ),
            wrt="w1,w5",
            at=("i1=0.05, i2=0.10, t1=0.01, t2=0.99, w1=0.15, w2=0.20, w3=0.25, w4=0.30, "
                "w5=0.40, w6=0.45, w7=0.50, w8=0.55, b1=0.35, b2=0.60"),
            lr="0.5",
            title="Backpropagation through a 2-2-2 sigmoid network",
        ),
    ]
}

DEFAULT_EXAMPLE = "l1"

#: Activations usable in expressions: (call, formula, kinks, derivative).
ACTIVATIONS = (
    ("sigmoid(u)", "1 / (1 + e^-u)", "none", "sigmoid(u) (1 - sigmoid(u))"),
    ("tanh(u)", "(e^u - e^-u) / (e^u + e^-u)", "none", "1 - tanh(u)^2"),
    ("relu(u)", "max(0, u)", "u = 0 (subdifferential [0, 1])", "1[u > 0]"),
    ("leaky_relu(u, a)", "u for u > 0, else a u (a defaults to 0.01)", "u = 0 ([a, 1])",
     "a + (1 - a) 1[u > 0]"),
    ("softplus(u)", "log(1 + e^u)", "none", "sigmoid(u)"),
    ("hardtanh(u)", "clamp(u, -1, 1)", "u = -1 and u = 1 ([0, 1])", "1[u + 1 > 0] 1[1 - u > 0]"),
    ("clamp(u, lo, hi)", "min(max(u, lo), hi)", "u = lo and u = hi ([0, 1])",
     "1[u - lo > 0] 1[hi - u > 0]"),
    ("abs(u)", "|u|", "u = 0 ([-1, 1])", "sign(u)"),
    ("max(a, b), min(a, b)", "the larger / smaller argument, in the order written",
     "a = b (the weight of a in [0, 1])", "1[a > b] a' + 1[b > a] b'"),
    ("where(c, a, b)", "a where the comparison c holds, else b",
     "at the boundary the condition as written decides (like torch.where)", "where(c, a', b')"),
    ("heaviside(u)", "1 for u > 0, 0 for u < 0", "u = 0 (a jump)", "0 away from 0"),
)


def example(name: str) -> Example:
    """The built-in example called ``name``."""
    try:
        return EXAMPLES[name]
    except KeyError:
        raise ProblemError(
            f"unknown example {name!r} (known: {', '.join(EXAMPLES)})"
        ) from None
