"""Helpers that check symgrad's output with real engines.

The engines are external programs installed by ``scripts/install-test-deps.sh``:

* ``pdflatex``  (Debian ``texlive-latex-base``) compiles the LaTeX output;
* ``katex``     (node + ``tests/js/node_modules/katex``) parses TeX the way
  blogs, MkDocs and Jupyter front ends do;
* ``chromium``  renders the MathML/HTML output as a reader sees it;
* ``pdftoppm``  (Debian ``poppler-utils``) turns a PDF into PNG pages.

Everything here is independent of pytest except :func:`require`, which skips
the calling test when an engine is missing (or fails it when ``$CI`` is set,
so CI can never go green by skipping).
"""

from __future__ import annotations

import atexit
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass

__all__ = [
    "ENGINES",
    "CompileResult",
    "available",
    "check_mathml_html",
    "chromium_dump_dom",
    "compile_latex",
    "extract_markdown_math",
    "katex_render",
    "pdf_to_png",
    "require",
    "screenshot_html",
]

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
JS_DIR = REPO_ROOT / "tests" / "js"
KATEX_SCRIPT = JS_DIR / "katex_check.js"

ENGINES = ("pdflatex", "katex", "chromium", "pdftoppm")
INSTALL_HINT = "run scripts/install-test-deps.sh"

LATEX_TIMEOUT = 60
KATEX_TIMEOUT = 120
CHROMIUM_TIMEOUT = 60
PDFTOPPM_TIMEOUT = 60

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XHTML_NS = "http://www.w3.org/1999/xhtml"

# Elements of MathML Core (https://www.w3.org/TR/mathml-core/) that symgrad
# may emit. Anything else (mfenced, menclose, mlabeledtr, maction, ...) is
# not drawn, or drawn differently, by browsers.
MATHML_CORE_ELEMENTS = frozenset(
    {
        "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms",
        "mtext", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt",
        "mroot", "mstyle", "mpadded", "mphantom", "munder", "mover",
        "munderover", "mtable", "mtr", "mtd", "merror", "mmultiscripts",
        "mprescripts", "none",
    }
)
# Token elements whose text must not contain a leftover TeX command.
_TEX_FREE_TOKENS = frozenset({"mi", "mo", "mn", "mtext"})
# Token elements: the only MathML elements that may hold text.
_TOKEN_ELEMENTS = frozenset({"mi", "mn", "mo", "ms", "mtext"})
# Elements whose content is not rendered math (e.g. the TeX source kept in
# <annotation encoding="application/x-tex">): exempt from the text checks.
_ANNOTATION_ELEMENTS = frozenset({"annotation", "annotation-xml"})


# ---------------------------------------------------------------------------
# Engine detection
# ---------------------------------------------------------------------------


def available(engine: str) -> bool:
    """Return True when ``engine`` (one of :data:`ENGINES`) can be used."""
    if engine == "pdflatex":
        return shutil.which("pdflatex") is not None
    if engine == "katex":
        return shutil.which("node") is not None and (JS_DIR / "node_modules" / "katex").is_dir()
    if engine == "chromium":
        return shutil.which("chromium") is not None
    if engine == "pdftoppm":
        return shutil.which("pdftoppm") is not None
    raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")


def require(engine: str) -> None:
    """Return if ``engine`` is available; otherwise skip the test (fail under CI).

    With a non-empty ``$CI`` a missing engine is a test failure, so a CI run
    that forgot to install the engines cannot pass by skipping everything.
    """
    if available(engine):
        return
    import pytest  # only this helper depends on pytest

    if os.environ.get("CI"):
        pytest.fail(f"{engine} is required in CI: {INSTALL_HINT}")
    pytest.skip(f"{engine} not installed ({INSTALL_HINT})")


# ---------------------------------------------------------------------------
# Temporary directories and subprocesses
# ---------------------------------------------------------------------------

_session_tmp: pathlib.Path | None = None


def _session_tmpdir() -> pathlib.Path:
    """A directory for this process, removed at interpreter exit."""
    global _session_tmp
    if _session_tmp is None:
        _session_tmp = pathlib.Path(tempfile.mkdtemp(prefix="symgrad-engines-"))
        atexit.register(shutil.rmtree, _session_tmp, ignore_errors=True)
    return _session_tmp


def _run(cmd: list[str], *, timeout: float, cwd: pathlib.Path | None = None,
         input: str | None = None, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in its own process group; on timeout kill the whole group.

    (Chromium and TeX start helper processes; ``subprocess.run`` would only
    kill the direct child.) Raises ``subprocess.TimeoutExpired`` on timeout.
    """
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


# ---------------------------------------------------------------------------
# pdflatex
# ---------------------------------------------------------------------------


@dataclass
class CompileResult:
    ok: bool                      # exit status 0 and a PDF was written
    returncode: int | None        # None when pdflatex timed out
    log_excerpt: str              # '!' lines + 2 lines after each (see compile_latex)
    log: str                      # the whole .log file (or stdout if there is none)
    pdf_path: pathlib.Path | None  # None unless ok
    workdir: pathlib.Path


def _log_excerpt(log: str) -> str:
    lines = log.splitlines()
    keep: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("!"):
            keep.extend(lines[i:i + 3])
            i += 3
        else:
            i += 1
    return "\n".join(keep)


def compile_latex(source: str, workdir: pathlib.Path | None = None) -> CompileResult:
    """Compile a complete LaTeX document with pdflatex.

    Runs ``pdflatex -interaction=nonstopmode -halt-on-error -no-shell-escape``
    on ``doc.tex`` inside ``workdir`` (default: a fresh directory under a
    per-process temporary directory that is removed at exit; pass pytest's
    ``tmp_path`` to keep the PDF around). Timeout: 60 s.

    ``log_excerpt`` holds every log line starting with ``!`` (TeX errors)
    followed by the 2 lines after it, which name the offending input line.
    If pdflatex failed without any ``!`` line, it holds the last 20 log lines
    instead, so a failure message is never empty. TeX's 79-column log
    wrapping is disabled so long lines stay intact.
    """
    if workdir is None:
        workdir = pathlib.Path(tempfile.mkdtemp(prefix="latex-", dir=_session_tmpdir()))
    workdir = pathlib.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    tex = workdir / "doc.tex"
    tex.write_text(source, encoding="utf-8")
    pdf = workdir / "doc.pdf"
    log_file = workdir / "doc.log"
    for stale in (pdf, log_file):
        stale.unlink(missing_ok=True)

    env = dict(os.environ, max_print_line="10000", error_line="254", half_error_line="238")
    cmd = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name]
    try:
        proc = _run(cmd, timeout=LATEX_TIMEOUT, cwd=workdir, env=env)
        returncode: int | None = proc.returncode
        stdout = proc.stdout
    except subprocess.TimeoutExpired:
        returncode, stdout = None, ""

    log = log_file.read_text(encoding="latin-1") if log_file.exists() else stdout
    excerpt = _log_excerpt(log)
    ok = returncode == 0 and pdf.exists()
    if returncode is None:
        excerpt = (f"pdflatex timed out after {LATEX_TIMEOUT} s\n" + excerpt).rstrip()
    elif not ok and not excerpt:
        excerpt = "\n".join(log.splitlines()[-20:])
    return CompileResult(
        ok=ok,
        returncode=returncode,
        log_excerpt=excerpt,
        log=log,
        pdf_path=pdf if ok else None,
        workdir=workdir,
    )


# ---------------------------------------------------------------------------
# KaTeX
# ---------------------------------------------------------------------------


def katex_render(fragments: list[tuple[str, bool]]) -> list[dict]:
    """Render ``(tex, display)`` fragments with KaTeX in one node process.

    Returns one dict per fragment, in order:
    ``{"ok": bool, "error": str | None, "warnings": [str]}``. KaTeX runs with
    ``throwOnError: true``; ``warnings`` collects its strict-mode
    (LaTeX-compatibility) complaints, which do not make ``ok`` false.
    Raises ``RuntimeError`` if the node script itself fails.
    """
    fragments = list(fragments)
    if not fragments:
        return []
    payload = json.dumps([{"tex": tex, "display": bool(display)} for tex, display in fragments])
    try:
        proc = _run(["node", str(KATEX_SCRIPT)], timeout=KATEX_TIMEOUT, cwd=JS_DIR, input=payload)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"katex_check.js timed out after {KATEX_TIMEOUT} s") from exc
    if proc.returncode != 0:
        raise RuntimeError(f"katex_check.js exited {proc.returncode}: {proc.stderr.strip()}")
    results = json.loads(proc.stdout)
    if len(results) != len(fragments):
        raise RuntimeError(
            f"katex_check.js returned {len(results)} results for {len(fragments)} inputs"
        )
    return results


# ---------------------------------------------------------------------------
# Markdown math extraction
# ---------------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def extract_markdown_math(md: str) -> list[tuple[str, bool]]:
    """Return the math fragments of a Markdown text as ``(tex, display)`` pairs.

    A small scanner with these rules (those of pandoc's ``tex_math_dollars``,
    which is also what markdown-it's dollarmath does with ``allow_digits=False``):

    * Fenced code blocks are skipped: a line starting (after at most 3 spaces)
      with 3+ backticks or 3+ tildes opens a fence, closed by a line holding
      only at least as many of the same character. An unclosed fence runs to
      the end of the text. (Indented code blocks are *not* recognised; they
      are ambiguous with list continuations.)
    * Inline code is skipped: a run of N backticks opens a code span that ends
      at the next run of exactly N backticks in the same paragraph (no blank
      line in between); without one, the backticks are literal text.
    * ``\\$`` is a literal dollar, never a delimiter (a backslash escapes the
      character after it, so ``\\\\$x$`` is a backslash followed by math).
    * ``$$...$$`` is display math and may span lines (but not a code fence).
      Inside it, ``\\$`` and ``\\\\`` are skipped as pairs. Without a closing
      ``$$`` the opener is literal text.
    * ``$...$`` is inline math when the opening ``$`` is followed by a
      non-space character and the closing ``$`` is preceded by a non-space
      character and not followed by a digit (so ``$5 or $10`` is not math).
      It may contain single line breaks but not a blank line. Without a valid
      closing ``$`` the opener is a literal dollar. As in pandoc, a price such
      as ``$5`` still pairs with a later valid closing ``$`` in the same
      paragraph, so prose dollars in generated Markdown must be written ``\\$``.
    * Fragments are returned stripped of surrounding whitespace, in document
      order.
    """
    fragments: list[tuple[str, bool]] = []
    for segment in _split_fences(md):
        _scan_segment(segment, fragments)
    return fragments


def _split_fences(md: str) -> list[str]:
    """Return the pieces of ``md`` outside fenced code blocks."""
    segments: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in md.splitlines(keepends=True):
        if fence is None:
            m = _FENCE_OPEN.match(line)
            if m:
                fence = m.group(1)
                segments.append("".join(current))
                current = []
            else:
                current.append(line)
        else:
            stripped = line.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fence = None
    segments.append("".join(current))
    return segments


def _run_length(text: str, i: int, ch: str) -> int:
    j = i
    while j < len(text) and text[j] == ch:
        j += 1
    return j - i


def _paragraph_end(text: str, i: int) -> int:
    m = _BLANK_LINE.search(text, i)
    return m.start() if m else len(text)


def _find_code_span_end(text: str, i: int, n: int) -> int:
    """Index just past the closing run of ``n`` backticks, or -1."""
    limit = _paragraph_end(text, i)
    j = i
    while j < limit:
        if text[j] == "`":
            run = _run_length(text, j, "`")
            if run == n:
                return j + run
            j += run
        else:
            j += 1
    return -1


def _find_display_end(text: str, i: int) -> int:
    """Index of the closing ``$$`` for content starting at ``i``, or -1."""
    j = i
    while j < len(text) - 1:
        if text[j] == "\\":
            j += 2
        elif text[j] == "$" and text[j + 1] == "$":
            return j
        else:
            j += 1
    return -1


def _find_inline_end(text: str, i: int) -> int:
    """Index of a valid closing ``$`` for content starting at ``i``, or -1."""
    limit = _paragraph_end(text, i)
    j = i
    while j < limit:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        closes = not text[j - 1].isspace() and not (j + 1 < len(text) and text[j + 1].isdigit())
        if c == "$" and closes:
            return j
        j += 1
    return -1


def _scan_segment(text: str, out: list[tuple[str, bool]]) -> None:
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2  # escaped character (including \$) is literal
        elif c == "`":
            run = _run_length(text, i, "`")
            end = _find_code_span_end(text, i + run, run)
            i = end if end != -1 else i + run
        elif c == "$" and text.startswith("$$", i):
            end = _find_display_end(text, i + 2)
            if end == -1:
                i += 2
            else:
                out.append((text[i + 2:end].strip(), True))
                i = end + 2
        elif c == "$":
            if i + 1 < n and not text[i + 1].isspace():
                end = _find_inline_end(text, i + 1)
                if end != -1:
                    out.append((text[i + 1:end].strip(), False))
                    i = end + 1
                    continue
            i += 1
        else:
            i += 1


# ---------------------------------------------------------------------------
# MathML / XHTML checks
# ---------------------------------------------------------------------------


def _local(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return None, tag


def _describe(math: ET.Element) -> str:
    """A short label for a <math> element: its TeX annotation or its text."""
    for el in math.iter(f"{{{MATHML_NS}}}annotation"):
        if el.text and el.text.strip():
            text = el.text.strip()
            break
    else:
        text = "".join(math.itertext()).strip()
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _math_text_pieces(el: ET.Element):
    """Yield (element, text) for text directly inside ``el`` and its
    descendants, skipping annotation content."""
    ns, name = _local(el.tag)
    if ns == MATHML_NS and name in _ANNOTATION_ELEMENTS:
        return
    if el.text:
        yield el, el.text
    for child in el:
        yield from _math_text_pieces(child)
        if child.tail:
            yield el, child.tail


def check_mathml_html(html: str) -> list[str]:
    """Return the problems of an XHTML page with MathML (empty list = fine).

    Checks:

    * the page is well-formed XML (symgrad emits XHTML-compatible HTML:
      ``<!DOCTYPE html>`` + ``<html xmlns="http://www.w3.org/1999/xhtml">``);
      if it is not, that is the only problem reported;
    * every ``<math>`` is in the MathML namespace (a ``<math>`` that parses into
      another namespace is reported);
    * inside ``<math>``, only MathML Core elements (:data:`MATHML_CORE_ELEMENTS`)
      in the MathML namespace appear;
    * text appears only inside token elements (``mi mn mo ms mtext``);
    * no text of ``mi``/``mo``/``mn``/``mtext`` contains a backslash (a TeX
      command left over);
    * no math text contains ``&`` (an alignment tab left over; ``&amp;`` counts,
      since that is what it is after parsing) or ``$`` (TeX delimiters left
      over, e.g. from ``\\text{...$n$...}``).

    Text inside ``<annotation>``/``<annotation-xml>`` (the TeX source) is
    exempt from the text checks. Problems name the math element by its index
    in document order and its TeX annotation (or text).
    """
    try:
        root = ET.fromstring(html)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]

    problems: list[str] = []
    math_elements = []
    for el in root.iter():
        ns, name = _local(el.tag) if isinstance(el.tag, str) else (None, "")
        if name == "math":
            if ns == MATHML_NS:
                math_elements.append(el)
            else:
                problems.append(f"<math> outside the MathML namespace (namespace {ns!r})")

    for index, math in enumerate(math_elements, start=1):
        where = f"math #{index} ({_describe(math)})"
        for el in math.iter():
            if not isinstance(el.tag, str):
                continue
            ns, name = _local(el.tag)
            if ns != MATHML_NS:
                problems.append(f"{where}: non-MathML element <{name}> (namespace {ns!r})")
            elif name not in MATHML_CORE_ELEMENTS and name != "annotation-xml":
                problems.append(f"{where}: non-Core MathML element <{name}>")
        for el, text in _math_text_pieces(math):
            _, name = _local(el.tag)
            if name not in _TOKEN_ELEMENTS and text.strip():
                problems.append(f"{where}: text outside a token element, in <{name}>: "
                                f"{text.strip()!r}")
            if "\\" in text and name in _TEX_FREE_TOKENS:
                problems.append(f"{where}: backslash in <{name}>: {text.strip()!r}")
            if "&" in text:
                problems.append(f"{where}: raw '&' in <{name}> text: {text.strip()!r}")
            if "$" in text:
                problems.append(f"{where}: '$' in <{name}> text: {text.strip()!r}")
    return problems


# ---------------------------------------------------------------------------
# Chromium
# ---------------------------------------------------------------------------

_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


def _stderr_tail(stderr: str, lines: int = 10) -> str:
    """Last lines of Chromium's stderr without its harmless D-Bus noise."""
    kept = [ln for ln in stderr.strip().splitlines() if "dbus" not in ln.lower()]
    return "\n".join(kept[-lines:])


def _existing_file(path: pathlib.Path) -> pathlib.Path:
    # Chromium exits 0 even when the page fails to load, so check first.
    path = pathlib.Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no such HTML file: {path}")
    return path


def _chromium(args: list[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = ["chromium", *_CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            return _run(cmd, timeout=CHROMIUM_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"chromium timed out after {CHROMIUM_TIMEOUT} s: {cmd}") from exc


def screenshot_html(html_path: pathlib.Path, png_path: pathlib.Path,
                    width: int = 1000, height: int = 1400) -> None:
    """Render a local HTML file with headless Chromium and save a PNG screenshot.

    Raises ``FileNotFoundError`` if ``html_path`` does not exist, and
    ``RuntimeError`` if Chromium fails, times out (60 s) or writes no PNG.
    """
    html_path = _existing_file(html_path)
    png_path = pathlib.Path(png_path).resolve()
    png_path.parent.mkdir(parents=True, exist_ok=True)
    png_path.unlink(missing_ok=True)
    proc = _chromium([f"--window-size={width},{height}", f"--screenshot={png_path}",
                      html_path.as_uri()])
    if not png_path.exists() or png_path.stat().st_size == 0:
        tail = _stderr_tail(proc.stderr)
        raise RuntimeError(f"chromium wrote no screenshot (exit {proc.returncode}):\n{tail}")


def chromium_dump_dom(html_path: pathlib.Path, width: int | None = None) -> str:
    """Load a local HTML file in headless Chromium, run its scripts, and return
    the serialized DOM (``--dump-dom``). A page can measure its own layout
    with a script and write the result into the DOM for a test to read.
    Timeout 60 s; errors as for :func:`screenshot_html`."""
    html_path = _existing_file(html_path)
    size = [f"--window-size={width},1200"] if width else []
    proc = _chromium([*size, "--dump-dom", html_path.as_uri()])
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = _stderr_tail(proc.stderr)
        raise RuntimeError(f"chromium --dump-dom failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


# ---------------------------------------------------------------------------
# pdftoppm
# ---------------------------------------------------------------------------


def pdf_to_png(pdf: pathlib.Path, out_prefix: pathlib.Path) -> list[pathlib.Path]:
    """Rasterise every page of ``pdf`` at 80 dpi with ``pdftoppm -png -r 80``.

    Pages are written as ``<out_prefix>-<page>.png`` (pdftoppm zero-pads the
    page number to the width of the page count). Existing files matching that
    pattern are deleted first. Returns the PNG paths in page order; raises
    ``RuntimeError`` on failure or timeout (60 s).
    """
    pdf = pathlib.Path(pdf)
    out_prefix = pathlib.Path(out_prefix)
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    pattern = re.compile(re.escape(out_prefix.name) + r"-(\d+)\.png")

    def pages() -> list[pathlib.Path]:
        found = [(int(m.group(1)), p) for p in out_prefix.parent.iterdir()
                 if (m := pattern.fullmatch(p.name))]
        return [p for _, p in sorted(found)]

    for old in pages():
        old.unlink()
    try:
        proc = _run(["pdftoppm", "-png", "-r", "80", str(pdf), str(out_prefix)],
                    timeout=PDFTOPPM_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"pdftoppm timed out after {PDFTOPPM_TIMEOUT} s") from exc
    if proc.returncode != 0:
        raise RuntimeError(f"pdftoppm exited {proc.returncode}: {proc.stderr.strip()}")
    result = pages()
    if not result:
        raise RuntimeError(f"pdftoppm wrote no pages for {pdf}")
    return result
