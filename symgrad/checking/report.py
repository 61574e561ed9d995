"""The check report: a verdict per line, the first error, and its text and JSON forms."""

from __future__ import annotations

import json
from dataclasses import dataclass

from symgrad.errors import UsageError

VERDICTS = ("correct", "wrong", "correct-except-at-kink", "different-subgradient", "unreadable",
            "skipped")  # fmt: skip


@dataclass(frozen=True)
class Diagnosis:
    """Why a line is wrong: a kind (``sign-error``, ...), a sentence, and the expected result."""

    kind: str
    explanation: str
    expected_latex: str = ""
    expected_plain: str = ""


@dataclass(frozen=True)
class LineResult:
    """The verdict on one line of the input (``ok`` is None for lines that are not math)."""

    line: int
    source: str
    ok: bool | None
    verdict: str
    diagnosis: Diagnosis | None = None


@dataclass(frozen=True)
class CheckReport:
    """Every line's verdict and the first wrong (or unreadable) line."""

    lines: tuple[LineResult, ...]
    name: str = ""

    @property
    def first_error(self) -> int | None:
        return next((r.line for r in self.lines if r.ok is False), None)

    @property
    def ok(self) -> bool:
        return self.first_error is None

    @property
    def unreadable(self) -> bool:
        return any(r.verdict == "unreadable" for r in self.lines)

    def to_dict(self) -> dict:
        def diag(d):
            return None if d is None else {"kind": d.kind, "explanation": d.explanation,
                                           "expected_latex": d.expected_latex,
                                           "expected_plain": d.expected_plain}  # fmt: skip

        lines = [{"line": r.line, "ok": r.ok, "verdict": r.verdict, "source": r.source,
                  "diagnosis": diag(r.diagnosis)} for r in self.lines]  # fmt: skip
        out = {"file": self.name} if self.name else {}
        out.update({"ok": self.ok, "first_error": self.first_error, "lines": lines})
        return out

    def render(self, format: str = "text") -> str:
        """The report as ``text`` (each line marked, the first error explained) or ``json``."""
        if format == "json":
            return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if format != "text":
            raise UsageError(f"unknown format {format!r} for a check report (text, json)")
        judged = [r for r in self.lines if r.ok is not None]
        wrong = sum(r.ok is False for r in judged)
        head = f"{self.name}: " if self.name else ""
        if self.first_error is None:
            out = [f"{head}all {len(judged)} checked lines are correct"]
        else:
            first = self.first_error
            out = [
                f"{head}{wrong} of {len(judged)} checked lines wrong; first error at line {first}"
            ]
        mark = {True: "ok ", False: "XX ", None: "   "}
        for r in self.lines:
            out.append(f"  {r.line:>4} {mark[r.ok]} {r.verdict:<23} {r.source}")
            if r.diagnosis is not None:
                d = r.diagnosis
                out.append(f"{'':>10}{d.kind}: {d.explanation}")
                if d.expected_plain:
                    out.append(f"{'':>10}expected: {d.expected_plain}")
        return "\n".join(out) + "\n"
