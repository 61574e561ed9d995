"""The descent progress bar: on stderr when it is a terminal, never in pipes."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["derive", "--let", "yhat = m*x + b", "--let", "L = (y - yhat)^2", "--wrt", "m,b",
        "--at", "m=0, b=0", "--lr", "0.01", "--steps", "400",
        "--data", str(ROOT / "tests" / "data" / "line.csv"), "--format", "json"]


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_progress_bar_on_a_terminal():
    primary, secondary = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "symgrad", *ARGS], stdout=subprocess.PIPE,
                          stderr=secondary, env=_env(), timeout=120, check=False)
    os.close(secondary)
    seen = b""
    try:
        while chunk := os.read(primary, 4096):
            seen += chunk
    except OSError:  # the terminal closed: everything has been read
        pass
    os.close(primary)
    assert proc.returncode == 0
    assert b"descent [" in seen and b"100% (400/400)" in seen


def test_no_progress_bar_in_a_pipe():
    proc = subprocess.run([sys.executable, "-m", "symgrad", *ARGS], capture_output=True,
                          env=_env(), timeout=120, check=False)
    assert proc.returncode == 0
    assert proc.stderr == b""
