#!/usr/bin/env bash
# Install everything the symgrad test suite needs:
#   - Debian packages: pdflatex (texlive-latex-base), TikZ (texlive-pictures),
#     pdftoppm (poppler-utils),
#     chromium, and node/npm if they are missing;
#   - KaTeX (pinned in tests/js/package.json / package-lock.json);
#   - the package itself in editable mode with its `test` extra.
#
# Idempotent: every step is skipped when what it installs is already present,
# so a second run takes about a second. Environment knobs:
#   PYTHON=...              interpreter to install into (default: python3)
#   SYMGRAD_FORCE_PIP=1     run `pip install -e .[test]` even if it looks done
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

PYTHON="${PYTHON:-python3}"

say() { printf '[install-test-deps] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------
apt_packages=()
command -v pdflatex >/dev/null 2>&1 || apt_packages+=(texlive-latex-base)
# TikZ (the computation graph's LaTeX picture) is in texlive-pictures
kpsewhich tikz.sty >/dev/null 2>&1 || apt_packages+=(texlive-pictures)
command -v pdftoppm >/dev/null 2>&1 || apt_packages+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)

if ((${#apt_packages[@]})); then
    if [[ "$(id -u)" -eq 0 ]]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo env DEBIAN_FRONTEND=noninteractive)
    else
        say "need root or sudo to install: ${apt_packages[*]}" >&2
        exit 1
    fi
    say "apt-get update"
    "${SUDO[@]}" apt-get update -qq
    say "apt-get install ${apt_packages[*]}"
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${apt_packages[@]}"
else
    say "system tools present (pdflatex, TikZ, pdftoppm, chromium, node, npm)"
fi

# --- npm packages (KaTeX) --------------------------------------------------
if [[ -d tests/js/node_modules/katex ]]; then
    say "KaTeX present in tests/js/node_modules"
else
    if [[ -f tests/js/package-lock.json ]]; then
        say "npm ci --prefix tests/js"
        npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
    else
        say "npm install --prefix tests/js (no lock file)"
        npm install --prefix tests/js --no-audit --no-fund --loglevel=error
    fi
fi

# --- Python package + test extra -------------------------------------------
# Fast path: skip pip when symgrad is installed editable from this checkout
# and every requirement (dependencies + the `test` extra) is already satisfied.
python_ready() {
    "$PYTHON" - "$REPO_ROOT" <<'PY'
import json
import pathlib
import sys
import tomllib
from importlib import metadata

try:
    from packaging.requirements import Requirement
except ImportError:  # pip vendors packaging
    from pip._vendor.packaging.requirements import Requirement

root = pathlib.Path(sys.argv[1]).resolve()
project = tomllib.loads((root / "pyproject.toml").read_text())["project"]

try:
    dist = metadata.distribution(project["name"])
except metadata.PackageNotFoundError:
    sys.exit(1)
if dist.version != project.get("version", dist.version):
    sys.exit(1)
direct_url = dist.read_text("direct_url.json")
if not direct_url:
    sys.exit(1)
info = json.loads(direct_url)
if not info.get("dir_info", {}).get("editable"):
    sys.exit(1)
if info.get("url") != root.as_uri():
    sys.exit(1)

reqs = list(project.get("dependencies", []))
reqs += project.get("optional-dependencies", {}).get("test", [])
for spec in reqs:
    req = Requirement(spec)
    if req.marker is not None and not req.marker.evaluate({"extra": "test"}):
        continue
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        sys.exit(1)
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        sys.exit(1)
sys.exit(0)
PY
}

if [[ -z "${SYMGRAD_FORCE_PIP:-}" ]] && python_ready; then
    say "python: symgrad (editable) and test extra already installed for $PYTHON"
else
    say "$PYTHON -m pip install -e '.[test]'"
    "$PYTHON" -m pip install --disable-pip-version-check -q -e '.[test]'
fi

say "done"
