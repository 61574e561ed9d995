"""Write examples/walkthrough.ipynb (without outputs; the tests execute it with nbclient).

    python3 examples/make_notebook.py
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    new_markdown_cell(
        "# symgrad in a notebook\n\n"
        "A derivation displays itself: Jupyter shows its Markdown walkthrough (the math in "
        "MathJax or KaTeX), and its HTML (MathML) and LaTeX forms are there for other front "
        "ends and for `nbconvert`."),
    new_code_cell(
        "import symgrad\n\n"
        "d = symgrad.derive(lets=[\"yhat = m*x + 4\", \"L = abs(y - yhat)\"], wrt=\"m\",\n"
        "                   at=\"x=2, y=10, m=1.5\", lr=0.1)\n"
        "d"),
    new_markdown_cell("The numbers are values you can compute with:"),
    new_code_cell("d.gradient[\"m\"], d.updated[\"m\"]"),
    new_markdown_cell("Its computation graph, with each value and gradient:"),
    new_code_cell(
        "from IPython.display import SVG\n\n"
        "import symgrad.pictures\n\n"
        "SVG(symgrad.pictures.graph(d, \"svg\"))"),
    new_markdown_cell("Without a point the derivation is symbolic:"),
    new_code_cell(
        "symgrad.derive(lets=[\"yhat = m*x + b\", \"L = (y - yhat)^2\"], wrt=\"m,b\")"),
    new_markdown_cell("Checking a hand derivation (here with a sign error):"),
    new_code_cell(
        "hand = r\"\"\"\n"
        "$$\\frac{\\partial L}{\\partial m} = \\operatorname{sign}(y - \\hat{y}) \\cdot x$$\n"
        "\"\"\"\n"
        "report = symgrad.check(hand, example=\"l1\")\n"
        "report"),
]


def main() -> None:
    nb = new_notebook(cells=CELLS, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    for i, cell in enumerate(nb.cells):  # stable ids: the file is byte-identical on a re-run
        cell["id"] = f"cell-{i:02d}"
    nbformat.validate(nb)
    path = Path(__file__).with_name("walkthrough.ipynb")
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
