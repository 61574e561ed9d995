"""The wheel carries the templates, and `symgrad derive` runs from it outside the checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, timeout=300,
    )
    (whl,) = out.glob("symgrad-*.whl")
    return whl


def test_wheel_contains_templates(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for t in ["derivation.md.j2", "derivation.tex.j2", "standalone.tex.j2", "derivation.html.j2",
              "derivation.txt.j2", "sentences.toml"]:
        assert f"symgrad/templates/{t}" in names


def test_derive_runs_from_the_unpacked_wheel(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys, importlib; sys.path.insert(0, sys.argv[1]);"
        "r = importlib.import_module('symgrad.rendering');"
        "assert str(r.template_dir()).startswith(sys.argv[1]), r.template_dir();"
        "from symgrad.cli import main; sys.exit(main(['derive', '--format', 'markdown']))"
    )
    run = subprocess.run([sys.executable, "-I", "-c", code, str(site)], cwd=tmp_path, check=False,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert r"\frac{\mathrm{d} L}{\mathrm{d} m}" in run.stdout


def test_a_user_template_overrides_markdown_from_the_installed_wheel(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "derivation.md.j2").write_text("MINE {{ gradients[0].value.plain }}\n")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from symgrad.cli import main;"
        "sys.exit(main(['derive', '--templates', sys.argv[2], '--format', 'markdown']))"
    )
    run = subprocess.run([sys.executable, "-I", "-c", code, str(site), str(mine)], cwd=tmp_path,
                         check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "MINE -2\n"
