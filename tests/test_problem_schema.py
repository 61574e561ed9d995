"""Problem files and data files against their schema (issue 12).

Table-driven: every key of a problem file with a value of the wrong type, a value out of
its range, and a right value. A wrong one must end in exit 2 with one line naming the file
and the key (never exit 3, never a traceback); a right one derives (exit 0). Data files that
are devices or huge are refused before they are read.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

import symgrad
from symgrad.cli import main
from symgrad.errors import ProblemError
from symgrad.reader import schema
from symgrad.reader.data import MAX_BYTES, read_csv

ROOT = Path(__file__).resolve().parents[1]
BASE = {"let": ["yhat = m*x + 4", "L = abs(y - yhat)"], "wrt": "m",
        "at": {"x": 2, "y": 10, "m": 1.5}}
WITH_DATA = {"let": ["yhat = m*x + 4", "L = abs(y - yhat)"], "wrt": "m", "at": {"m": 1.5},
             "data": "rows.csv"}


def toml_value(v) -> str:
    """A TOML literal for the values these tables use (no TOML writer in the standard library)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def write_problem(tmp_path: Path, table: dict) -> Path:
    (tmp_path / "rows.csv").write_text("x,y\n2,10\n3,7\n", encoding="utf-8")
    p = tmp_path / "p.toml"
    p.write_text("".join(f"{k} = {toml_value(v)}\n" for k, v in table.items()), encoding="utf-8")
    return p


# key -> (base problem, wrong type, wrong range (or value), right value)
CASES = {
    "title": (BASE, 5, "x" * 201, "The L1 gradient"),
    "let": (BASE, 5, ["L = m*x"] * 201, ["yhat = m*x + 4", "L = (y - yhat)^2"]),
    "loss": ({**BASE, "let": ["yhat = m*x + 4", "L = abs(y - yhat)"]}, [1], "nosuch", "L"),
    "wrt": (BASE, [1], "q", ["m"]),
    "at": (BASE, 5, {"x": float("nan"), "y": 10, "m": 1.5}, "x=2, y=10, m=3/2"),
    "lr": (BASE, True, -0.1, "1/10"),
    "steps": ({**BASE, "lr": 0.1}, 1.5, 0, 3),
    "convention": (BASE, 5, "nosuch", "pytorch"),
    "digits": (BASE, "6", 31, 8),
    "example": ({}, ["l1"], "nosuch", "network"),
    "style": (BASE, 5, "fancy", "backprop"),
    "data": (WITH_DATA, 7, "/dev/zero", "rows.csv"),
    "reduce": (WITH_DATA, 5, "median", "sum"),
    "update": (WITH_DATA, 5, "adam", "sgd"),
}


def test_every_key_of_the_schema_is_in_the_table():
    assert set(CASES) == {k.name for k in schema.KEYS}


def run(capsys, path: Path) -> tuple[int, str]:
    code = main(["derive", str(path)])
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize("key", CASES)
@pytest.mark.parametrize("which", ["wrong type", "wrong range"])
def test_a_wrong_value_is_one_line_naming_the_key(tmp_path, capsys, key, which):
    base, wrong_type, wrong_range, _ = CASES[key]
    value = wrong_type if which == "wrong type" else wrong_range
    path = write_problem(tmp_path, {**base, key: value})
    code, err = run(capsys, path)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("symgrad: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    if which == "wrong type":  # the schema's own message: file, key, expected, found
        assert f"problem file {str(path)!r}: key '{key}" in err, err
        assert "expected" in err and "found" in err, err
    else:  # the schema's, or the later check that names the value (e.g. an unknown parameter)
        assert f"problem file {str(path)!r}" in err or "data file" in err, err
        assert key in err or str(value)[:20] in err or "data file" in err, err


@pytest.mark.parametrize("key", CASES)
def test_a_right_value_derives(tmp_path, capsys, key):
    base, _, _, right = CASES[key]
    code, err = run(capsys, write_problem(tmp_path, {**base, key: right}))
    assert code == 0, err


@pytest.mark.parametrize("value, found", [
    (5, "an integer (5)"), (True, "a boolean (true)"), (1.5, "a number (1.5)"),
    ("m", "a string ('m')"), ([1], "a list ([1])"), ({"a": 1}, "a table"),
])
def test_what_was_found_is_named_in_words(value, found):
    assert schema.found(value) == found


def test_a_title_that_is_a_table_is_refused(tmp_path, capsys):
    p = tmp_path / "p.toml"
    p.write_text('let = ["L = m*x"]\nwrt = "m"\n[title]\na = 1\n', encoding="utf-8")
    code, err = run(capsys, p)
    assert code == 2 and "key 'title': expected a string" in err and "found a table" in err


def test_an_unknown_key_names_the_known_ones(tmp_path, capsys):
    code, err = run(capsys, write_problem(tmp_path, {**BASE, "learning_rate": 0.1}))
    assert code == 2 and "unknown key(s) learning_rate" in err and "known: title, let" in err


def test_a_byte_order_mark_is_accepted(tmp_path, capsys):
    p = write_problem(tmp_path, BASE)
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    code, err = run(capsys, p)
    assert code == 0, err


def test_a_relative_data_path_is_read_next_to_the_problem_file(tmp_path, capsys, monkeypatch):
    sub = tmp_path / "sub"
    sub.mkdir()
    p = write_problem(sub, WITH_DATA)
    monkeypatch.chdir(tmp_path)  # not the problem file's folder
    code, err = run(capsys, p.relative_to(tmp_path))
    assert code == 0, err


def test_the_api_options_are_checked_against_the_same_schema():
    with pytest.raises(ProblemError, match=r"option: key 'wrt': expected .*found an integer \(5\)"):
        symgrad.derive(lets=["L = m*x"], wrt=5)
    with pytest.raises(ProblemError, match=r"key 'steps': expected a whole number"):
        symgrad.derive(example="l1", steps=True)
    with pytest.raises(ProblemError, match=r"option: key 'let': expected .*found an integer"):
        symgrad.check("dL/dm = x", lets=5)
    with pytest.raises(ProblemError, match=r"option: key 'wrt': expected"):
        symgrad.check("dL/dm = x", lets=["L = m*x"], wrt=5)


# --- data files ----------------------------------------------------------------------------


def test_a_device_is_refused_before_it_is_read():
    with pytest.raises(ProblemError, match="is not a regular file"):
        read_csv("/dev/zero")


def test_a_huge_file_is_refused_from_its_size_before_it_is_read(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:  # 100 MB, sparse: only its size says how big it is
        f.truncate(100 * 1024 * 1024)
    with pytest.raises(ProblemError, match=rf"larger than {MAX_BYTES} bytes \(104857600 bytes\)"):
        read_csv(big)


@pytest.mark.parametrize("data", ["/dev/zero", "big.csv"])
def test_the_cli_refuses_devices_and_huge_data_files_at_once(tmp_path, data):
    with open(tmp_path / "big.csv", "wb") as f:
        f.truncate(100 * 1024 * 1024)
    # a generous timeout only guards against a hang (reading /dev/zero never ends)
    proc = subprocess.run([sys.executable, "-m", "symgrad.cli", "derive", "--example", "l1",
                           "--data", data], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "data file" in proc.stderr, proc.stderr


def test_a_cell_that_is_not_a_number_is_named_by_line_and_column(tmp_path):
    f = tmp_path / "rows.csv"
    f.write_text("x,y\n1,2\n3,abc\n", encoding="utf-8")
    with pytest.raises(symgrad.errors.SymgradError) as e:
        read_csv(f)
    assert f"data file {str(f)!r} line 3, column y: the value must be a number" in e.value.one_line()


def test_the_readme_table_of_keys_is_written_from_the_schema():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    begin, end = "<!-- problem-keys: begin -->\n", "<!-- problem-keys: end -->"
    assert text[text.index(begin) + len(begin) : text.index(end)] == schema.markdown_table()
