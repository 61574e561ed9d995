"""The JSON record against the JSON Schema shipped in the package (jsonschema, draft 2020-12)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import symgrad
from symgrad.reader.examples import EXAMPLES

SCHEMA_PATH = Path(symgrad.__file__).parent / "data" / "derivation.schema.json"
DATA = Path(__file__).parent / "data" / "line.csv"

CASES = [
    *[pytest.param({"example": name}, id=name) for name in EXAMPLES],
    *[pytest.param({"example": name, "symbolic": True}, id=f"{name}-symbolic") for name in EXAMPLES],
    pytest.param({"example": "l1", "at": "y=7"}, id="l1-kink"),
    pytest.param({"example": "l1", "at": "y=7", "convention": "subdifferential"}, id="l1-interval"),
    pytest.param({"example": "l1", "steps": 3}, id="trajectory"),
    pytest.param({"lets": ["yhat = m*x + b", "L = (y - yhat)^2"], "wrt": "m,b", "at": "m=0, b=0",
                  "data": str(DATA), "lr": "0.01", "steps": 5}, id="dataset"),
    pytest.param({"lets": ["yhat_i = m*x_i + b", "J = mean((y_i - yhat_i)^2, i)"], "wrt": "m,b"},
                 id="sum-symbolic"),
]


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("options", CASES)
def test_json_matches_the_schema(validator, options):
    doc = json.loads(symgrad.derive(**options).render("json"))
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert doc["schema"] == "2.0"


def test_the_schema_rejects_what_it_should(validator):
    doc = json.loads(symgrad.derive().render("json"))
    bad = dict(doc, gradient={"m": "minus two"})
    assert list(validator.iter_errors(bad))
    bad = {k: v for k, v in doc.items() if k != "values"}
    assert list(validator.iter_errors(bad)), "a numeric record needs its values"


def test_the_step_tree_is_nested_as_recorded():
    doc = json.loads(symgrad.derive().render("json"))
    (part,) = [p for p in doc["partials"] if (p["quantity"], p["by"]) == ("L", "yhat")]
    tree = part["step"]
    assert tree["rule"] == "abs to sign" and tree["after"]["text"] == "-sign(y - yhat)"
    (inner,) = tree["substeps"]
    assert inner["rule"] == "sum" and inner["after"] == {"latex": "-1", "text": "-1"}
    assert part["value"] == -1.0


def test_the_schema_ships_in_the_wheel_data():
    assert SCHEMA_PATH.is_file()
