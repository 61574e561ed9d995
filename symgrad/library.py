"""Built-in examples: small named problems that `symgrad derive --example NAME` runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from symgrad.errors import ProblemError


@dataclass(frozen=True)
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
    ]
}

DEFAULT_EXAMPLE = "l1"


def example(name: str) -> Example:
    """The built-in example called ``name``."""
    try:
        return EXAMPLES[name]
    except KeyError:
        raise ProblemError(
            f"unknown example {name!r} (known: {', '.join(EXAMPLES)})"
        ) from None
