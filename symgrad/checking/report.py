"""The check report: a verdict per line, the first error, and its text and JSON forms."""

from __future__ import annotations

import json

from symgrad.errors import UsageError
from symgrad.records import record

VERDICTS = ("correct", "wrong", "correct-except-at-kink", "different-subgradient", "unreadable",
            "skipped")  # fmt: skip


@record
class Diagnosis:
    """Why a line is wrong: a kind (``sign-error``, ...), a sentence, and the expected result."""

    kind: str
    explanation: str
    expected_latex: str = ""
    expected_plain: str = ""


@record
class LineResult:
    """The verdict on one line of the input (``ok`` is None for lines that are not math)."""

    line: int
    source: str
    ok: bool | None
    verdict: str
    diagnosis: Diagnosis | None = None


@record(repr=False)
class CheckReport:
    """Every line's verdict and the first wrong (or unreadable) line."""

    lines: tuple[LineResult, ...]
    name: str = ""
    definitions: tuple[str, ...] = ()  # the problem read from the document, or names it defined
    problem_source: str = "given"  # "given" (options, a file, an example) or "document"

    @property
    def first_error(self) -> int | None:
        """The first line judged wrong (unreadable lines are listed, not counted here)."""
        return next((r.line for r in self.lines if r.ok is False and r.verdict != "unreadable"),
                    None)

    @property
    def first_unreadable(self) -> int | None:
        return next((r.line for r in self.lines if r.verdict == "unreadable"), None)

    @property
    def checked(self) -> int:
        """How many lines were read and judged."""
        return sum(r.ok is not None and r.verdict != "unreadable" for r in self.lines)

    @property
    def unreadable(self) -> bool:
        return self.first_unreadable is not None

    @property
    def status(self) -> str:
        """``wrong`` (a wrong line was found), ``unreadable`` (no wrong line, but a math line could
        not be read), ``nothing-checked`` (no derivation found) or ``correct``."""
        if self.first_error is not None:
            return "wrong"
        if self.unreadable:
            return "unreadable"
        return "correct" if self.checked else "nothing-checked"

    @property
    def ok(self) -> bool:
        """True only when at least one line was checked and every math line is right."""
        return self.status == "correct"

    @property
    def exit_code(self) -> int:
        """What ``symgrad check`` exits with: 0 correct, 1 wrong, 2 unreadable or nothing."""
        return {"correct": 0, "wrong": 1}.get(self.status, 2)

    def to_dict(self) -> dict:
        def diag(d):
            return None if d is None else {"kind": d.kind, "explanation": d.explanation,
                                           "expected_latex": d.expected_latex,
                                           "expected_plain": d.expected_plain}  # fmt: skip

        lines = [{"line": r.line, "ok": r.ok, "verdict": r.verdict, "source": r.source,
                  "diagnosis": diag(r.diagnosis)} for r in self.lines]  # fmt: skip
        out = {"file": self.name} if self.name else {}
        if self.problem_source == "document":
            out["problem_from_document"] = list(self.definitions)
        out.update({"ok": self.ok, "status": self.status, "checked": self.checked,
                    "first_error": self.first_error, "first_unreadable": self.first_unreadable,
                    "lines": lines})
        return out

    def __repr__(self) -> str:
        where = f" (first error at line {self.first_error})" if self.first_error else ""
        return (f"<CheckReport {self.name + ': ' if self.name else ''}{self.status}{where}, "
                f"{self.checked} lines checked; .render('text'|'json')>")

    def _repr_markdown_(self) -> str:
        """Jupyter shows the text report as a code block."""
        return "```text\n" + self.render("text") + "```\n"

    def render(self, format: str = "text") -> str:
        """The report as ``text`` (each line marked, the first error explained) or ``json``."""
        if format == "json":
            return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if format != "text":
            raise UsageError(f"unknown format {format!r} for a check report (text, json)")
        judged = [r for r in self.lines if r.ok is not None and r.verdict != "unreadable"]
        wrong = sum(r.ok is False for r in judged)
        unread = sum(r.verdict == "unreadable" for r in self.lines)
        head = f"{self.name}: " if self.name else ""
        tail = f"; {unread} unreadable (first at line {self.first_unreadable})" if unread else ""
        status = self.status
        if status == "wrong":
            out = [f"{head}{wrong} of {len(judged)} checked lines wrong; first error at line "
                   f"{self.first_error}{tail}"]
        elif status == "unreadable":
            out = [f"{head}no wrong line among {len(judged)} checked{tail}: not judged"]
        elif status == "nothing-checked":
            out = [f"{head}no derivation found: no line states a derivative or a value to check"]
        else:
            out = [f"{head}all {len(judged)} checked lines are correct"]
        if self.problem_source == "document" and self.definitions:
            out.append("  problem read from the document: " + "; ".join(self.definitions))
        mark = {True: "ok ", False: "XX ", None: "   "}
        for r in self.lines:
            out.append(f"  {r.line:>4} {mark[r.ok]} {r.verdict:<23} {r.source}")
            if r.diagnosis is not None:
                d = r.diagnosis
                out.append(f"{'':>10}{d.kind}: {d.explanation}")
                if d.expected_plain:
                    out.append(f"{'':>10}expected: {d.expected_plain}")
        return "\n".join(out) + "\n"
