"""Plots of a derivation with matplotlib (the optional extra ``symgrad[plot]``).

matplotlib is imported only here, inside the functions, and only through its object API
(``Figure`` with the Agg canvas; pyplot and the global backend are never touched). Three
kinds: ``loss`` (the loss along one input around the point, the gradient's tangent, and
on a kink the fan of lines whose slopes span the subdifferential, with the convention's
pick drawn bold), ``comparison`` (each group of comparison rows on one axes: L1 against
L2 at the point, and at the outlier) and ``trajectory`` (the loss per descent step and the
parameter's path). The numbers come from the record (values, adjoints, intervals, rows,
trajectory points); only the curves are sampled (:mod:`symgrad.pictures.curves`). SVG
has a fixed hash salt and no date, PNG no software tag: the same input, the same bytes.
"""

from __future__ import annotations

import io

from symgrad.errors import UsageError
from symgrad.pictures.curves import check_input, finite_or_error, loss_function, samples, window

#: The colours of the curves, in order (matplotlib's default cycle, fixed here).
CYCLE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
#: Lines in a kink's fan of subgradients.
FAN = 9
INSTALL = "plots need matplotlib: pip install 'symgrad[plot]'"


def _matplotlib():
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(INSTALL) from None
    return matplotlib, Figure, FigureCanvasAgg


def _text(v, digits: int) -> str:
    from symgrad.numbers.values import number_text

    return number_text(v, digits)[0]


def draw(d, kind: str, format: str, param: str | None):
    """The plot ``kind`` of ``d`` as SVG text or PNG bytes (see :func:`symgrad.pictures.plot`)."""
    matplotlib, Figure, Canvas = _matplotlib()
    painters = {"loss": _loss, "comparison": _comparison, "trajectory": _trajectory}
    style = {"svg.hashsalt": "symgrad", "svg.fonttype": "path", "font.size": 10,
             "axes.prop_cycle": matplotlib.cycler(color=CYCLE), "path.simplify": True}
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(8, 4.8), dpi=100, layout="constrained")
        Canvas(fig)
        painters[kind](fig, d, param)
        buf = io.BytesIO()
        if format == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
            return buf.getvalue().decode("utf-8")
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()


def _need_point(d, kind: str) -> None:
    if d.numbers is None:
        raise UsageError(f"the {kind} plot needs a point: give one with --at 'k=v, ...' "
                         "(or at= in Python)")


def _loss(fig, d, param):
    """The loss along ``param`` around the point, its tangent, and a kink's fan."""
    import numpy as np

    _need_point(d, "loss")
    p = d.problem
    param = check_input(p, param)
    x0 = float(d.numbers.value(param))
    y0 = float(d.numbers.value(p.loss))
    lo, hi = window(x0)
    xs = samples(lo, hi, x0)
    ys = finite_or_error(loss_function(p, param)(xs), f"{param} near {_text(x0, p.digits)}")
    ax = fig.add_subplot()
    ax.plot(xs, ys, color=CYCLE[0], linewidth=2, label=f"{p.loss} as a function of {param}")
    grad = dict(d.numbers.adjoints).get(param)
    interval = d.interval.get(param)
    span = (hi - lo) / 4
    near = np.array([x0 - span, x0 + span])
    shown = ys
    if interval is not None:
        a, b = (float(v) for v in interval)
        shown = np.concatenate([ys, y0 + np.array([a, b, -a, -b]) * span])
        for k, s in enumerate(np.linspace(a, b, FAN)):
            ax.plot(near, y0 + s * (near - x0), color="#9467bd", linewidth=1, alpha=0.55,
                    label=(f"subgradients: slopes in [{_text(interval[0], p.digits)}, "
                           f"{_text(interval[1], p.digits)}] (the kink)") if k == 0 else None,
                    gid=f"fan-{k}")
    if grad is not None:
        how = (f"chosen subgradient ({d.convention.value})" if interval is not None
               else "tangent")
        ax.plot(near, y0 + float(grad) * (near - x0), color=CYCLE[1], linewidth=2,
                linestyle="--", label=f"{how}: d{p.loss}/d{param} = {_text(grad, p.digits)}",
                gid="gradient")
    ax.plot([x0], [y0], "o", color="black", zorder=5, gid="point",
            label=f"the point: {param} = {_text(x0, p.digits)}, {p.loss} = {_text(y0, p.digits)}")
    _frame(ax, param, p.loss, _fixed(d, param))
    _limits(ax, shown)


def _fixed(d, param: str) -> str:
    """The title: which inputs are held at which values."""
    p = d.problem
    held = [f"{k} = {_text(v, p.digits)}" for k, v in d.numbers.inputs if k != param]
    head = f"{p.loss} along {param}"
    text = f"{head}, the other inputs at the point ({', '.join(held)})" if held else head
    return text if len(text) <= 100 else text[:96] + "...)"


def _frame(ax, xlabel: str, ylabel: str, title: str) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.legend(loc="best", fontsize=8, framealpha=0.9)


def _limits(ax, ys) -> None:
    """The y-range of the curve (tangent and fan lines may leave it)."""
    import numpy as np

    finite = ys[np.isfinite(ys)]
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.1 * (hi - lo) if hi > lo else max(1.0, abs(hi)) * 0.1
    ax.set_ylim(lo - pad, hi + pad)


def _comparison(fig, d, param):
    """Each group of comparison rows (same values) on one axes, with each row's tangent."""
    import numpy as np

    if not d.comparison:
        raise UsageError("this derivation has no comparison rows: the comparison plot draws "
                         "the built-in l1 example at a point (symgrad draw comparison)")
    p = d.problem
    param = check_input(p, param)
    groups: dict[tuple, list] = {}
    for row, variant in zip(d.comparison, p.variants):
        groups.setdefault(row.values, []).append((row, variant))
    axes = fig.subplots(1, len(groups), squeeze=False)[0]
    for ax, (values, members) in zip(axes, groups.items()):
        point = {**dict(p.values), **dict(values)}
        x0 = float(point[param])
        lo, hi = window(x0)
        xs = samples(lo, hi, x0)
        near = np.array([x0 - (hi - lo) / 5, x0 + (hi - lo) / 5])
        every = []
        for k, (row, variant) in enumerate(members):
            colour = CYCLE[k % len(CYCLE)]
            ys = loss_function(p, param, dict(values), variant.loss)(xs)
            every.append(finite_or_error(ys, f"{param} ({row.label})"))
            grad = dict(row.gradient).get(param)
            ax.plot(xs, ys, color=colour, linewidth=2, label=f"{row.label}: {p.loss} = "
                    f"{_text(row.loss, p.digits)}")
            if grad is not None:
                ax.plot(near, float(row.loss) + float(grad) * (near - x0), color=colour,
                        linestyle="--", linewidth=1.4,
                        label=f"gradient d{p.loss}/d{param} = {_text(grad, p.digits)}")
            ax.plot([x0], [float(row.loss)], "o", color=colour, markeredgecolor="black", zorder=5)
        shown = ", ".join(f"{k} = {_text(v, p.digits)}" for k, v in values) or "the point"
        _frame(ax, param, p.loss, f"at {shown} ({param} = {_text(point[param], p.digits)})")
        _limits(ax, np.concatenate(every))


def _trajectory(fig, d, param):
    """The loss per step, and the parameter's path (on the loss curve for one parameter)."""
    import numpy as np

    p = d.problem
    if d.descent:
        steps = [(t.step, float(t.loss), {k: float(v) for k, v in t.params}) for t in d.descent]
    elif d.data_run is not None and len(d.data_run.trajectory) > 1:
        steps = [(k, float(loss), dict(zip(p.wrt, ps))) for k, loss, ps in d.data_run.trajectory]
    else:
        raise UsageError("this derivation has no descent trajectory: give --steps N (N > 1) "
                         "with --lr and a point")
    param = p.wrt[0] if param is None else param
    if param not in p.wrt:
        raise UsageError(f"cannot follow {param!r}: it is not a parameter (--wrt: "
                         f"{', '.join(p.wrt)})")
    left, right = fig.subplots(1, 2)
    ks = [s[0] for s in steps]
    losses = [s[1] for s in steps]
    left.plot(ks, losses, "o-", color=CYCLE[0], markersize=4, label=f"{p.loss} after each step")
    lr = _text(p.lr, p.digits) if p.lr is not None else "?"
    _frame(left, "step", p.loss, f"gradient descent, learning rate {lr}")
    path = np.array([s[2][param] for s in steps])
    if len(p.wrt) == 1 and d.data_run is None:
        xs = samples(*window(path[0], float(path.min()), float(path.max())))
        ys = finite_or_error(loss_function(p, param)(xs), param)
        right.plot(xs, ys, color="#999999", linewidth=1.5, label=f"{p.loss} over {param}")
        right.plot(path, losses, "o-", color=CYCLE[1], markersize=4, linewidth=1,
                   label=f"the path of {param}", gid="path")
        right.plot(path[:1], losses[:1], "s", color="black", label=f"start {param} = "
                   f"{_text(steps[0][2][param], p.digits)}")
        _frame(right, param, p.loss, f"{param} from step 0 to {ks[-1]}")
        _limits(right, np.concatenate([ys, np.array(losses)]))
        return
    for k, w in enumerate(p.wrt):
        right.plot(ks, [s[2][w] for s in steps], "o-", markersize=3, color=CYCLE[k % len(CYCLE)],
                   label=w, gid=f"path-{w}")
    _frame(right, "step", "value", "the parameters' path")
