"""The README as a test: a fresh virtual environment with only `pip install .` runs every `sh` block.

The repository's tracked files are copied to a temporary folder, a new virtual environment
is made there, and each ```sh block of README.md runs in order with that environment first
on PATH (so `python3` is the venv's). The first block is the README's own install command,
so the package is installed exactly as a user would (no test extras). A block preceded by
`<!-- readme-test: skip (reason) -->` is not run (the test-suite command, which would run
this test again).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import pytest
from engines import require

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(<!-- readme-test: skip[^>]*-->\n)?```sh\n(.*?)```", re.S)


def sh_blocks(text: str) -> list[tuple[str, bool]]:
    return [(m.group(2), m.group(1) is not None) for m in BLOCK.finditer(text)]


def test_readme_has_the_two_commands_first():
    blocks = sh_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks[0] == ("python3 -m pip install . && symgrad derive\n", False)
    assert blocks[1] == ("bash scripts/install-test-deps.sh && python3 -m pytest\n", True)
    assert (ROOT / ".ci" / "run").read_text().strip().endswith(blocks[1][0].strip())


@pytest.mark.engine
def test_every_readme_command_runs_in_a_fresh_venv(tmp_path):
    require("pdflatex")  # one README command compiles the LaTeX it writes
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    copy = tmp_path / "repo"
    for name in filter(None, tracked):
        src = ROOT / name
        if src.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / name)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(env_dir),
               SYMGRAD_CACHE=str(tmp_path / "cache"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    ran = 0
    for i, (block, skipped) in enumerate(sh_blocks((copy / "README.md").read_text())):
        if skipped:
            continue
        run = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=copy, env=env, check=False,
                             capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, f"README sh block #{i + 1} failed:\n{block}\n{run.stderr[-3000:]}"
        ran += 1
    assert ran >= 8
    # it really ran from the fresh environment, without the test extras
    pip = subprocess.run([str(bin_dir / "python3"), "-m", "pip", "list"], capture_output=True,
                         text=True, env=env, check=True).stdout
    assert "symgrad" in pip and "numpy" in pip and "pytest" not in pip
    assert (copy / "fit.md").exists() and (copy / "l1.pdf").exists()


def readme_examples(text: str) -> list[tuple[str, str]]:
    """(command, shown output) for each ```text block that shows what a command prints:
    the commands on its own ``$`` lines, or else the one command of the ```sh block just before."""
    blocks = re.findall(r"```(sh|text)\n(.*?)```", text, re.S)
    out = []
    for k, (kind, body) in enumerate(blocks):
        if kind != "text":
            continue
        if body.startswith("$ "):
            command, _, shown = body[2:].partition("\n")
            out.append((command, shown))
        elif k and blocks[k - 1][0] == "sh":
            command = blocks[k - 1][1].replace("\\\n", " ").strip()
            if command.count("symgrad ") == 1 and "\n" not in command:
                out.append((command, body))
    return out


EXAMPLES = readme_examples((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_shows_examples():
    assert len(EXAMPLES) >= 5


@pytest.fixture(scope="module")
def readme_dir(tmp_path_factory) -> Path:
    """A folder holding the files the README's own sh blocks write (``cat > l1.toml``,
    ``printf ... > bad.toml``), with the repository's ``tests`` folder linked in for the
    examples that read its files."""
    d = tmp_path_factory.mktemp("readme")
    (d / "tests").symlink_to(ROOT / "tests")
    for block, skipped in sh_blocks((ROOT / "README.md").read_text(encoding="utf-8")):
        if skipped:
            continue
        if "symgrad" not in block and "pip" not in block:
            writes = block
        else:
            writes = "\n".join(line for line in block.splitlines() if line.startswith("printf "))
        if re.search(r"^(cat|printf) .*> ", writes, re.M):
            subprocess.run(["bash", "-e", "-c", writes], cwd=d, check=True)
    return d


@pytest.mark.parametrize("command, shown", EXAMPLES, ids=[c[:60] for c, _ in EXAMPLES])
def test_readme_examples_print_what_the_readme_shows(command, shown, capsys, monkeypatch,
                                                     readme_dir):
    """Every line the README shows is printed (a line with '...' is shown abridged: its start)."""
    import shlex

    from symgrad.cli import main

    monkeypatch.chdir(readme_dir)
    args = shlex.split(command)
    assert args[0] == "symgrad"
    main(args[1:])
    captured = capsys.readouterr()
    printed = [line.rstrip() for line in (captured.out + captured.err).splitlines()]
    for line in shown.splitlines():
        if line.strip() in ("", "...", "(abridged)"):
            continue
        head = line.split("...")[0].rstrip()
        assert any(p == line.rstrip() or ("..." in line and p.startswith(head)) for p in printed), \
            f"README shows a line the command does not print:\n{line}"
