"""Templates a user owns: a folder or one file replacing a built-in template, `templates export`,
the documented context, and a broken template named by its file and line (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

import symgrad
from symgrad.cli import main
from symgrad.errors import UsageError
from symgrad.rendering.context import build_context
from symgrad.rendering.usertemplates import BUILTIN, CONTEXT

MINE = """\
# {{ title }}
{% for g in gradients %}
d{{ loss.plain }}/d{{ g.param }} = {{ g.result.plain }}{% if g.value %} = {{ g.value.plain }}{% endif %}

{% endfor %}
"""


def test_a_folder_template_replaces_the_builtin_markdown(tmp_path, capsys):
    (tmp_path / "derivation.md.j2").write_text(MINE)
    assert main(["derive", "--templates", str(tmp_path), "--format", "md"]) == 0
    out = capsys.readouterr().out
    # the L1 example at x=2, y=10, m=1.5: dL/dm = -sign(10 - 7) * 2 = -2
    assert out == "# The L1 loss gradient, explained from scratch\ndL/dm = -sign(y - yhat)*x = -2\n"
    # formats the folder does not replace stay built in
    assert main(["derive", "--templates", str(tmp_path), "--format", "tex"]) == 0
    assert "\\section*{The L1 loss gradient" in capsys.readouterr().out


def test_one_template_file_for_the_only_format(tmp_path, capsys):
    f = tmp_path / "short.j2"
    f.write_text(MINE)
    assert main(["derive", "--template", str(f), "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# The L1 loss gradient")
    assert main(["derive", "--template", str(f), "--format", "md,tex", "-o", str(tmp_path / "x")]) == 2
    assert "say its format" in capsys.readouterr().err


def test_a_latex_template_is_the_body_of_the_standalone_document(tmp_path, capsys):
    f = tmp_path / "mine.tex.j2"
    f.write_text("My own: ${{ gradients[0].lhs.tex }} = {{ gradients[0].value.tex }}$\n")
    assert main(["derive", "--template", str(f), "--format", "tex", "--standalone"]) == 0
    out = capsys.readouterr().out
    assert "\\documentclass" in out and "My own: $\\frac{\\mathrm{d} L}{\\mathrm{d} m} = -2$" in out


def test_the_builtin_stays_reachable_from_a_user_template(tmp_path, capsys):
    (tmp_path / "derivation.md.j2").write_text(
        "---\ntitle: from my template\n---\n{% include 'builtin/derivation.md.j2' %}")
    assert main(["derive", "--templates", str(tmp_path), "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("---\ntitle: from my template\n---\n## The L1 loss gradient")


def test_user_html_is_escaped(tmp_path):
    f = tmp_path / "page.html.j2"
    f.write_text("<p>{{ title }}</p>")
    d = symgrad.derive(title="a <b> & c")
    assert d.render("html", template=str(f)) == "<p>a &lt;b&gt; &amp; c</p>"


@pytest.mark.parametrize("text, where", [
    ("line one\n{% for g in gradients %}\n{{ g.param }\n{% endfor %}", "line 3"),
    ("ok\n\n{{ no_such_name }}", "line 3: UndefinedError"),
    ("{{ title.__class__.__mro__ }}", "line 1"),
    ("{% include 'missing.j2' %}", "'missing.j2' not found"),
])
def test_a_broken_template_names_its_file_and_line(tmp_path, capsys, text, where):
    (tmp_path / "derivation.md.j2").write_text(text)
    assert main(["derive", "--templates", str(tmp_path), "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert where in err and err.count("\n") == 1 and "Traceback" not in err
    if "not found" not in where:
        assert "template derivation.md.j2, line" in err


def test_the_sandbox_refuses_reaching_python_internals(tmp_path):
    f = tmp_path / "evil.md.j2"
    f.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(UsageError, match="evil.md.j2, line 1"):
        symgrad.derive().render("markdown", template=str(f))


def test_export_copies_every_template_and_the_context(tmp_path, capsys):
    dest = tmp_path / "mine"
    assert main(["templates", "export", str(dest)]) == 0
    assert capsys.readouterr().out.count("wrote ") == len(set(BUILTIN.values())) + 1
    names = sorted(p.name for p in dest.iterdir())
    assert names == sorted({*BUILTIN.values(), "CONTEXT.md"})
    # the exported templates render exactly as the built-in ones
    assert main(["derive", "--templates", str(dest), "--format", "md"]) == 0
    mine = capsys.readouterr().out
    assert mine == symgrad.derive().render("markdown")
    assert main(["templates", "export", str(dest)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["templates", "export", str(dest), "--force"]) == 0


def test_the_documented_context_is_what_templates_receive():
    for d in (symgrad.derive(), symgrad.derive(example="network", symbolic=True)):
        keys = set(build_context(d)) | {"heading", "part", "body_template"}
        assert keys == set(CONTEXT)


def test_missing_template_paths_are_usage_errors(tmp_path, capsys):
    assert main(["derive", "--templates", str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["derive", "--template", str(tmp_path / "nope.md.j2")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["derive", "--templates", str(tmp_path), "--template", str(tmp_path)]) == 2
    assert "not both" in capsys.readouterr().err


def test_context_command_prints_the_table(capsys):
    assert main(["templates", "context"]) == 0
    out = capsys.readouterr().out
    assert all(f"| `{k}` |" in out for k in CONTEXT)


def test_the_readme_lists_the_context_as_documented():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- template-context: begin -->\n")[1].split("\n<!-- template-context: end -->")[0]
    from symgrad.rendering.usertemplates import context_markdown

    assert table == "\n".join(x for x in context_markdown().split("\n") if x.startswith("|"))
