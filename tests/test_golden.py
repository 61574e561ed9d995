"""Golden files: the built-in example (and its kink variant) in every format, one file per case."""

from pathlib import Path

import pytest

import symgrad

GOLDEN = Path(__file__).parent / "golden"
FORMATS = {"text": "txt", "markdown": "md", "latex": "tex", "html": "html", "json": "json"}
CASES = {
    "l1": {},
    "l1-kink": {"at": "y=7"},
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_golden(case, fmt, request):
    out = symgrad.render(symgrad.derive(**CASES[case]), fmt)
    path = GOLDEN / f"{case}.{FORMATS[fmt]}"
    if request.config.getoption("--update-golden"):
        path.write_text(out, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}: run pytest --update-golden and review it"
    assert out == path.read_text(encoding="utf-8")


def test_standalone_latex_golden(request):
    out = symgrad.render(symgrad.derive(), "latex", standalone=True)
    path = GOLDEN / "l1-standalone.tex"
    if request.config.getoption("--update-golden"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")
