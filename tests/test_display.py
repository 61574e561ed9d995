"""How records show themselves: a one-line repr (not a dump of the record), and Markdown for
Jupyter (``_repr_markdown_``), the same text ``render("markdown")`` writes."""

from __future__ import annotations

import symgrad


def test_a_derivation_is_one_line_with_its_gradient():
    d = symgrad.derive(example="l1")
    text = repr(d)
    assert "\n" not in text and len(text) < 200
    assert "dL/dm = -sign(y - yhat)*x = -2" in text  # -sign(10 - 7) * 2, by hand


def test_a_large_derivation_stays_short():
    d = symgrad.derive(example="network")
    assert len(repr(d)) < 400 and "dE/dw5" in repr(d) and "0.082167" in repr(d)  # Mazur


def test_jupyter_shows_the_markdown_walkthrough():
    d = symgrad.derive(example="l1")
    assert d._repr_markdown_() == d.render("markdown")


def test_a_check_report_is_one_line_and_markdown_for_jupyter():
    r = symgrad.check("dL/dm = sign(y - yhat)*x\n", example="l1")
    assert repr(r) == "<CheckReport wrong (first error at line 1), 1 lines checked; .render('text'|'json')>"
    md = r._repr_markdown_()
    assert md.startswith("```text\n") and md.endswith("```\n") and "sign-error" in md
