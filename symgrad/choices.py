"""The closed sets the command line offers, as plain tuples (no SymPy import for ``--help``).

Each tuple mirrors a definition elsewhere (a test keeps them equal): the formats of
:mod:`symgrad.rendering`, the conventions of :mod:`symgrad.numbers.conventions`, the styles
of :mod:`symgrad.reader.problem`.
"""

FORMATS = ("text", "markdown", "latex", "mathml", "html", "json")
FORMAT_ALIASES = {"txt": "text", "md": "markdown", "tex": "latex", "xhtml": "html", "htm": "html"}
#: File extension written for each format when several are rendered to one base name.
EXTENSIONS = {"text": ".txt", "markdown": ".md", "latex": ".tex", "mathml": ".html",
              "html": ".html", "json": ".json"}
CONVENTIONS = ("min-norm", "subdifferential", "left", "right", "average", "pytorch", "jax",
               "tensorflow")
STYLES = ("leibniz", "backprop")
