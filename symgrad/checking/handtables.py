"""The tables of the hand-derivation lexer: function names as authors spell them, Greek
letters, ignored spacing commands, operator commands, accents and Unicode stand-ins."""

from __future__ import annotations

import re

# fmt: off
MAX_ROW = 2000  # characters in one row
MAX_TOKENS = 600  # tokens in one row (macros included)
MAX_LITERAL_DIGITS = 100  # digits in one number
_FUNCTIONS = {"sign": "sign", "sgn": "sign", "signum": "sign", "abs": "abs", "exp": "exp",
              "log": "log", "ln": "log", "sqrt": "sqrt", "sigmoid": "sigmoid", "tanh": "tanh",
              "relu": "relu", "ReLU": "relu", "Relu": "relu", "RELU": "relu", "max": "max",
              "min": "min", "Abs": "abs", "Max": "max", "Min": "min", "sin": "sin", "cos": "cos",
              "tan": "tan", "sinh": "sinh", "cosh": "cosh", "sech": "sech", "csch": "csch",
              "coth": "coth", "softplus": "softplus", "leaky_relu": "leaky_relu",
              "clamp": "clamp", "clip": "clamp", "hardtanh": "hardtanh", "Tanh": "tanh",
              "Sigmoid": "sigmoid", "Sig": "sigmoid", "sig": "sigmoid", "Exp": "exp",
              "Log": "log", "Ln": "log", "Sign": "sign", "Sgn": "sign",
              # a spreadsheet's functions, in capitals (not LOG: a spreadsheet's LOG is base 10)
              "EXP": "exp", "LN": "log", "SQRT": "sqrt", "ABS": "abs", "SIGN": "sign",
              "TANH": "tanh", "SECH": "sech", "COSH": "cosh", "SINH": "sinh",
              "MAX": "max", "MIN": "min"}  # fmt: skip
GREEK = frozenset((
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau",
    "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
    "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
))
_IGNORED = frozenset((
    ",", ";", ":", "!", ">", "quad", "qquad", "displaystyle", "textstyle", "scriptstyle",
    "limits", "nolimits", "nonumber", "notag", "big", "Big", "bigg", "Bigg", "middle",
    "enspace", "thinspace", "medspace", "thickspace", "negthinspace", "hfill", "cal",
    "hspace", "vspace", "phantom", "hphantom", "vphantom", "color", "text_", "allowbreak",
    "tiny", "Tiny", "scriptsize", "footnotesize", "small", "normalsize", "large", "Large",
    "LARGE", "huge", "Huge",
)) | {" "}
_IGNORED_WITH_ARGUMENT = frozenset(("hspace", "vspace", "phantom", "hphantom", "vphantom",
                                    "color", "label", "tag", "cssId", "class", "htmlId"))
_OPERATORS = {"cdot": "*", "times": "*", "ast": "*", "odot": "*", "div": "/", "approx": "~=", "simeq": "~=",
              "gt": ">", "lt": "<", "ge": ">=", "geq": ">=", "geqslant": ">=", "le": "<=",
              "leq": "<=", "leqslant": "<=", "leftarrow": "<-", "gets": "<-",
              "longleftarrow": "<-", "lvert": "lbar", "rvert": "rbar", "vert": "|",
              "{": "lbrace", "}": "rbrace", "|": "|", "lbrace": "lbrace", "rbrace": "rbrace",
              "over": "over", "doteq": ":=", "coloneqq": ":=", "coloneq": ":=", "equiv": ":=",
              "triangleq": ":=", "defeq": ":=", "implies": "=>", "Rightarrow": "=>",
              "Longrightarrow": "=>", "therefore": "=>", "because": "=>", "rightarrow": "=>",
              "longrightarrow": "=>", "to": "=>", "mapsto": "=>", "iff": "=>",
              "propto": "propto", "sim": "propto", "neq": "!=", "ne": "!=", "in": "in",
              "dots": "dots", "ldots": "dots", "cdots": "dots", "vdots": "dots",
              "ddots": "dots", "dotsi": "dots", "dotsb": "dots", "dotsc": "dots", "dotsm": "dots",
              "dotso": "dots", "pm": "pm", "mp": "pm", "mid": "mid", "land": "and",
              "wedge": "and", "forall": "forall", "prime": "'", "top": "T", "intercal": "T",
              "transpose": "T", "lfloor": "(", "rfloor": ")", "lceil": "(", "rceil": ")",
              "langle": "(", "rangle": ")", "Vert": "|", "|_": "|"}  # fmt: skip
_SIZED = re.compile(r"\\(left|right|[bB]igg?[lrm]?)\s*(\\[{}|]|\\[lr]vert|\\vert|\\Vert|"
                    r"\\langle|\\rangle|[()\[\]|.<>/])")
_WRAPPERS = frozenset((
    "text", "textrm", "textit", "textbf", "textnormal", "textsf", "mbox", "mathrm",
    "operatorname", "mathit", "mathsf", "mathbf", "boldsymbol", "bm", "mathbb", "mathds",
    "mathbbm", "mathcal", "mathscr", "mathfrak", "hat", "widehat", "bar", "overline", "tilde",
    "widetilde", "vec", "overrightarrow", "boxed", "underline", "emph", "mathnormal", "pmb",
    "mathtt", "texttt", "dot", "ddot", "check", "breve", "acute", "grave",
))
_ACCENT_CS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar",
              "tilde": "tilde", "widetilde": "tilde", "dot": "dot", "ddot": "ddot",
              "check": "check", "breve": "breve", "acute": "acute", "grave": "grave"}  # fmt: skip
_PROSE = frozenset(["text", "textrm", "textit", "textbf", "textnormal", "mbox", "textsf",
                    "emph", "texttt"])
_UNICODE = {"−": "-", "–": "-", "—": "-", "×": "*", "·": "*", "⋅": "*", "∙": "*", "∗": "*",
            "∂": "partial", "≤": "<=", "≥": ">=", "≈": "~=", "≃": "~=", "←": "<-",
            "√": "sqrt", "∑": "sum", "Σ": "sum", "∇": "nabla", "≠": "!=", "⇒": "=>",
            "→": "=>", "⟹": "=>", "∴": "=>", "∝": "propto", "±": "pm", "…": "dots",
            "’": "'", "′": "'", "″": "''", "∈": "in", "⊤": "T", "ᵀ": "T", "≔": ":=",
            "≡": ":=", "∣": "mid", "⟨": "(", "⟩": ")", "∀": "forall"}  # fmt: skip
_SUPERSCRIPTS = {"²": "2", "³": "3", "¹": "1", "⁰": "0", "⁴": "4", "⁵": "5", "⁶": "6",
                 "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-"}  # fmt: skip
_SUBSCRIPTS = {"₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6",
               "₇": "7", "₈": "8", "₉": "9", "ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₙ": "n"}  # fmt: skip
_DIGITS = frozenset("0123456789")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SINGLE = "+-*/^_()[]{}|=,<>'?.:;"
_ACCENTS = {"\u0302": "hat", "\u0304": "bar", "\u0303": "tilde"}  # combining marks: ŷ, ȳ, ỹ
_BLOCK_SPEC = re.compile(r"\s*\{[lcr|\s]*\}")  # the column spec of \begin{array}{cc}
# fmt: on


#: An accent over a subscripted letter, ``\\hat{y_i}``, ``\\hat{y_{i}}``: the letter and the subscript.
SUBSCRIPTED = re.compile(r"\s*([A-Za-z]|\\[A-Za-z]+)\s*(_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))\s*")


def inner_name(word: str) -> str | None:
    """The letter under an accent: ``y``, ``\\boldsymbol{y}``, ``\\mathbf y``, ``\\theta``."""
    w = re.sub(r"\\(?:boldsymbol|mathbf|bm|mathit|mathrm|vec|pmb)\s*", "", word)
    w = w.replace("{", "").replace("}", "").strip()
    if w.startswith("\\") and w[1:] in GREEK:
        return w[1:]
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", w):
        return w
    return None


def composition(doc: str, i: int, j: int, end: int, toks) -> None:
    """``\\sigma\\circ h`` (``\\circ`` at doc[i:j]): between two names neither of which is
    applied, the composition of two functions, a general rule that is not checked (raises
    GenericRule); otherwise (``\\delta \\circ \\sigma'(z)``) the element-wise product, which
    for scalars is the product (the caller writes it)."""
    before = re.search(r"(?:\\[A-Za-z]+|[A-Za-z])\s*$", doc[max(0, i - 20) : i])
    after = re.match(r"\s*(\\[A-Za-z]+|[A-Za-z]\w*)\s*(.?)", doc[j:end])
    if before and after and after.group(2) in (")", "", "=", ",") and \
            (not toks or toks[-1].kind in ("word", "fn")):
        from symgrad.checking.handbase import GenericRule

        raise GenericRule(f"{before.group(0).strip()}∘{after.group(1)}")


#: Bold commands: ``\\boldsymbol{y}`` may be the vector of all the examples' y.
_BOLD = frozenset(("mathbf", "boldsymbol", "bm", "vec", "pmb"))


def _trailing_point(doc: str, k: int, end: int) -> int:
    """1 when doc[k] is a point ending a number (``0.`` as NumPy prints zero, before ``&``, a
    space, ``\\\\`` or the end), else 0."""
    if doc[k : k + 1] != "." or k + 1 < end and doc[k + 1] not in " &\\)]},\n":
        return 0
    return 1


def _call_follows(doc: str, j: int, end: int) -> bool:
    """True when ``\\sigma`` is applied: ``(``, ``\\left(`` or ``\\big(`` comes next."""
    rest = doc[j:end].lstrip().removeprefix("'").removeprefix("^{\\prime}").lstrip()
    return rest.startswith(("(", "\\left(", "\\left (", "\\big(", "\\Big(", "\\bigl(", "\\Bigl(",
                            "\\left[", "["))


def _looks_like_name(word: str) -> bool:
    """``\\text{MAE}``, ``\\text{Error}``, ``\\text{pred}``: one word that can be a name."""
    return len(word) <= 12 and " " not in word
