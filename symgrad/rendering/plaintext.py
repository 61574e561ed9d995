"""The text format written in Python: the built-in ``derivation.txt.j2`` without Jinja2.

The terminal's format is the one ``symgrad derive`` prints by default, and importing Jinja2
costs about as much as the rest of symgrad's own start (issue 7 asks ``symgrad derive`` to
stay within 1.3x of ``import sympy``). So the built-in text is written here, line for line
from the same template context; the template file stays the documented, exportable form
that ``--templates`` replaces (then Jinja2 renders it). ``tests/test_plaintext.py`` renders
every built-in example and option through both and requires byte-equal output, so the two
cannot drift apart.
"""

from __future__ import annotations

import textwrap

from symgrad.rendering.templates import sentence_plain


def _wrap(text: str, width: int) -> str:
    """Each line of ``text`` wrapped at ``width`` (as the template's ``wordwrap`` filter)."""
    return "\n".join("\n".join(textwrap.wrap(line, width=width, expand_tabs=False,
                                             replace_whitespace=False))
                     for line in text.splitlines())


def _cols(fmt: str, items) -> str:
    return "".join(" " + fmt % (v,) for v in items)


class _Text:
    def __init__(self, c: dict):
        self.c = c
        self.out: list[str] = []

    def line(self, text: str = "") -> None:
        self.out.append(text + "\n")

    def render(self) -> str:
        c = self.c
        self.line(c["title"])
        self.line("=" * len(c["title"]))
        self.line()
        self.line("Problem")
        for q in c["quantities"]:
            self.line(f"  {q['name'].plain} = {q['expr'].plain}")
        if c["reduction"]:
            r = c["reduction"]
            self.line(f"  {r['total'].plain} = {r['definition'].plain}")
        self.line(self.statement())
        self.forward()
        self.backprop()
        for i, g in enumerate(c["gradients"], 1):
            self.gradient(i, g)
        self.reduction()
        self.data()
        self.kinks()
        self.jumps()
        self.places()
        self.adjoints()
        self.trajectory()
        self.comparison()
        if c["closing"]:
            self.line()
            self.line(_wrap(sentence_plain(c["closing"]), 78))
        self.line()
        self.line("Verification")
        for v in c["verification"]:
            self.line(f"  {v['param']}: {v['note']}.")
        return "".join(self.out)

    def statement(self) -> str:
        c = self.c
        text = (f"Loss {c['loss'].plain}, differentiated by "
                f"{', '.join(w.plain for w in c['wrt'])}")
        if c["symbolic"]:
            text += " symbolically (no point given)"
        else:
            text += " at " + ", ".join(f"{i['name'].plain} = {i['value'].plain}" for i in c["inputs"])
        if c["lr"]:
            text += f"; learning rate eta = {c['lr'].plain}"
        return text + "."

    def forward(self) -> None:
        if not self.c["forward"]:
            return
        self.line()
        self.line()
        self.line("1. Forward pass")
        for f in self.c["forward"]:
            self.line(f"  {f['name'].plain} = {f['line'].plain}")

    def backprop(self) -> None:
        c = self.c
        if c["style"] != "backprop":
            return
        self.line()
        self.line(f"{c['first_section']}. Backpropagation (reverse order: upstream gradient "
                  "times local derivative)")
        for n in c["backprop"]:
            if n["seed"]:
                continue
            self.line()
            self.line(f"  Node {n['name'].plain}")
            for loc in n["locals"]:
                self.line(f"    local {loc['lhs'].plain} = {loc['line'].plain}")
            self.line(f"    {n['lhs'].plain} = {n['line'].plain}")

    def gradient(self, i: int, g: dict) -> None:
        c = self.c
        backprop = c["style"] == "backprop"
        self.line()
        self.line(f"{i + c['first_section'] - 1 + (1 if backprop else 0)}. "
                  f"The gradient with respect to {g['param']}")
        self.line()
        if backprop:
            text = f"  From the backward pass: {g['lhs'].plain}"
            if g["result"]:
                text += f" = {g['result'].plain}"
            if g["value"]:
                text += f" {g['value'].eq_plain} {g['value'].plain}"
            self.line(text)
        else:
            self.line(f"  Chain rule: {g['lhs'].plain} = {g['chain'].plain}")
            for f in g["factors"]:
                self.line()
                self.line(f"  Factor {f['name'].plain}")
                for s in f["steps"]:
                    self.line(f"    [{s['rule']}] {sentence_plain(s['sentence'])}")
                    self.line("      " + " = ".join(p.plain for p in s["parts"]))
                    if s["numeric"]:
                        self.line(f"      at the point: {s['numeric'].plain}")
                self.line(f"    so {f['name'].plain} = {f['result'].plain}")
            self.line()
            last = g["line"].plain if g["line"] else g["result"].plain
            self.line(f"  Together: {g['lhs'].plain} = {last}")
        if g["no_derivative"]:
            self.line(f"  On a jump: at this point {g['lhs'].plain} does not exist (the formula "
                      "holds away from the jump; see below).")
        if g["interval"]:
            lo, hi = g["interval"]
            self.line(f"  On the kink: {g['lhs'].plain} lies in [{lo.plain}, {hi.plain}].")
        if g["descent"]:
            self.line(f"  Update: {g['param']} <- {g['descent']['line'].plain}")
        elif g["symbolic_update"]:
            u = g["symbolic_update"]
            self.line(f"  Update: {g['param']} <- {u['rule'].plain} = {u['filled'].plain}, "
                      f"with eta = {c['lr'].plain}")
        elif c["lr"] and c["subdifferential"]:
            self.line("  No update: the subdifferential convention picks no single gradient.")

    def reduction(self) -> None:
        r = self.c["reduction"]
        if not r:
            return
        self.line()
        self.line(f"Over the examples: {r['total'].plain} = {r['definition'].plain}")
        for i, g in enumerate(r["gradients"]):
            self.line(f"  [linearity of the sum] {sentence_plain(g['sentence'])}")
            text = f"    {g['lhs'].plain} = " + " = ".join(p.plain for p in g["parts"])
            if r["numbers"]:
                v = r["numbers"]["gradient"][i]
                text += f" {v.eq_plain} {v.plain}"
            self.line(text)

    def data(self) -> None:
        c, d = self.c, self.c["data"]
        if not d:
            return
        loss, wrt = c["loss"].plain, [w.plain for w in c["wrt"]]
        self.line()
        self.line(f"The dataset ({d['source']}, {d['n']} rows; loss = {d['reduce']} of the "
                  "per-row loss)")
        self.line("  The walkthrough above is for row 1. At the starting parameters:")
        self.line("  " + "%-5s" % "row" + _cols("%-10s", d["columns"]) + _cols("%-12s", [loss])
                  + _cols("%-12s", [f"d{loss}/d{w}" for w in wrt]))
        for r in d["rows"]:
            self.line("  " + "%-5s" % (r["index"],) + _cols("%-10s", [v.plain for v in r["cells"]])
                      + _cols("%-12s", [r["loss"].plain])
                      + _cols("%-12s", [g.plain for g in r["gradient"]]))
        if d["more_rows"]:
            self.line(f"  ... and {d['more_rows']} more rows")
        total = d["total"].plain
        self.line(f"  Reduced: {total} {d['loss'].eq_plain} {d['loss'].plain}"
                  + "".join(f", d{total}/d{w} {g.eq_plain} {g.plain}"
                            for w, g in zip(wrt, d["gradient"])))
        if d["updated"]:
            self.line(f"  Update ({d['method']}): "
                      + ", ".join(f"{w} <- {u.plain}" for w, u in zip(wrt, d["updated"])))
        if d["steps_total"]:
            sampled = ", sampled" if len(d["trajectory"]) <= d["steps_total"] else ""
            self.line()
            self.line(f"  Trajectory ({d['steps_total']} steps{sampled})")
            self.table(d["trajectory"], total)

    def table(self, rows: list, loss: str) -> None:
        """A trajectory: step, loss and every parameter."""
        wrt = [w.plain for w in self.c["wrt"]]
        self.line("  " + "%-6s" % "step" + " " + "%-14s" % loss + _cols("%-14s", wrt))
        for t in rows:
            self.line("  " + "%-6s" % (t["step"],) + " " + "%-14s" % t["loss"].plain
                      + _cols("%-14s", [v.plain for v in t["params"]]))

    def kinks(self) -> None:
        c = self.c
        if not c["kinks"]:
            return
        self.line()
        self.line("On the kink")
        convention, text = c["convention"], c["convention_text"]
        for k in c["kinks"]:
            where = f"{k['expr'].plain} (in {k['quantity']})"
            if k["tie"]:
                self.line(f"  {' = '.join(a.plain for a in k['arms'])} here, so {where} is on a tie "
                          f"of {len(k['arms'])} of its arguments: the derivative does not exist there.")
                if k["weights"]:
                    pick = (f"the convention {convention} ({text}) takes the weights "
                            f"{', '.join(w.plain for w in k['weights'])}.")
                else:
                    pick = f"the convention {convention}: {text}."
                self.line("  Every convex combination of the tied arguments' derivatives is a "
                          "subgradient (weights >= 0 summing to 1, one per tied argument); " + pick)
                self.note(k)
                continue
            local, (lo, hi) = k["local"].plain, k["interval"]
            self.line(f"  {k['argument'].plain} = 0, so {where} is exactly on its kink: "
                      "the derivative does not exist there.")
            if k["chosen"]:
                pick = f"the convention {convention} ({text}) takes {local} := {k['chosen'].plain}."
            else:
                pick = f"the convention {convention}: {text}."
            self.line(f"  Every value of its factor {local} in [{lo.plain}, {hi.plain}] gives a "
                      f"subgradient (the subdifferential of {k['function']} at its kink); " + pick)
            self.note(k)
            for f in k["frameworks"]:
                self.line("    " + "%-11s" % (f["name"],) + " " + "%-11s" % (f["version"],) + " "
                          + "%-34s" % (f["call"],) + " " + f["value"].plain)

    def note(self, k: dict) -> None:
        if k["note"]:
            self.line(f"  ({k['note']}.)")

    def jumps(self) -> None:
        c = self.c
        if not c["jumps"]:
            return
        self.line()
        self.line("On a jump")
        for j in c["jumps"]:
            self.line(f"  {j['argument'].plain} = 0, so {j['expr'].plain} (in {j['quantity']}) jumps "
                      f"here: {c['loss'].plain} is not continuous, so it has no derivative and no "
                      f"subgradient with respect to {', '.join(j['params'])} at this point.")

    def places(self) -> None:
        places = self.c["places"]
        if not places:
            return
        self.line()
        self.line("Where the derivative does not exist")
        for k in places:
            w, (lo, hi) = k["weight"].plain, k["interval"]
            self.line(f"  {k['expr'].plain} (in {k['quantity']}) has a kink where "
                      f"{k['argument'].plain} = 0. There the factor {k['local'].plain} is not a "
                      f"number: any {w} in [{lo.plain}, {hi.plain}] is a subgradient of it, so")
            for g in k["gradients"]:
                self.line(f"    {g['lhs'].plain} = {g['expr'].plain}, with {w} in "
                          f"[{lo.plain}, {hi.plain}]")
        self.line(f"  A convention picks {places[0]['weight'].plain} (--convention; default "
                  "min-norm, the smallest gradient).")

    def adjoints(self) -> None:
        c = self.c
        if not c["adjoints"]:
            return
        self.line()
        self.line(f"Adjoints (d{c['loss'].plain}/d name at the point)")
        for a in c["adjoints"]:
            value = a["value"].plain if a["value"] else a["missing"]
            self.line("  " + "%-10s" % (a["name"].plain,) + " " + str(value))

    def trajectory(self) -> None:
        c = self.c
        if not c["trajectory"]:
            return
        self.line()
        self.line("Gradient descent")
        self.table(c["trajectory"], c["loss"].plain)

    def comparison(self) -> None:
        c = self.c
        if not c["comparison"]:
            return
        self.line()
        self.line("Comparison")
        for r in c["comparison"]:
            self.line("  " + "%-24s" % (r["label"],) + " " + "%-10s" % (r["point"],) + " "
                      + f"{c['loss'].plain} = " + "%-8s" % (r["loss"].plain,)
                      + "".join(f" gradient = {v.plain if v else 'interval'}"
                                for v in r["gradient"]))


def render_text(context: dict) -> str:
    """The built-in text format of a template context (:func:`~symgrad.rendering.context.build_context`)."""
    return _Text(context).render()
