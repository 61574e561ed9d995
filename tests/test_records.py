"""symgrad.records against the standard library's dataclasses, the behaviour it replaces."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from functools import cached_property

import pytest
import sympy as sp

from symgrad.records import FrozenRecordError, field, record, replace


def both(frozen: bool = True):
    """The same class body as a dataclass (the oracle) and as a record."""

    made = []
    for deco, fld in ((dataclasses.dataclass(frozen=frozen), dataclasses.field),
                      (record(frozen=frozen), field)):
        ns = {"__annotations__": {"x": "sp.Expr", "y": "int", "label": "str", "tags": "list"},
              "__doc__": "A point with a label.", "label": "p", "tags": fld(default_factory=list),
              "__qualname__": "Point", "__module__": __name__}
        made.append(deco(type("Point", (), ns)))
    return made


@pytest.mark.parametrize("frozen", [True, False])
def test_construction_equality_and_repr_match_dataclasses(frozen):
    Oracle, Ours = both(frozen)
    for args, kwargs in [((sp.Integer(1), 2), {}), ((sp.Symbol("a"),), {"y": 3, "label": "q"}),
                         ((), {"x": sp.Rational(1, 2), "y": 0, "tags": [1]})]:
        o, r = Oracle(*args, **kwargs), Ours(*args, **kwargs)
        assert repr(o) == repr(r)
        assert (o.x, o.y, o.label, o.tags) == (r.x, r.y, r.label, r.tags)
        assert r == Ours(*args, **kwargs)
        assert r != Ours(sp.Integer(9), 9)
        assert r != o  # another class: not equal, as between two dataclasses
    assert Ours(1, 2).tags is not Ours(1, 2).tags  # a fresh list each time
    assert str(inspect.signature(Ours)) == str(inspect.signature(Oracle))


@record
class Box:
    value: int

    @cached_property
    def double(self):
        return self.value * 2


def test_frozen_records_hash_refuse_assignment_and_keep_cached_property():
    b = Box(3)
    assert hash(b) == hash(Box(3)) and len({b, Box(3), Box(4)}) == 2
    assert b.double == 6 and b.double == 6
    with pytest.raises(FrozenRecordError, match="cannot assign to field 'value'"):
        b.value = 4
    with pytest.raises(AttributeError):
        del b.value
    assert b == Box(3)  # the cached value is not a field
    assert pickle.loads(pickle.dumps(b)) == b


def test_mutable_records_are_unhashable_and_assignable():
    @record(frozen=False)
    class Bag:
        items: list = field(default_factory=list)

    bag = Bag()
    bag.items = [1]
    assert bag == Bag([1])
    with pytest.raises(TypeError):
        hash(bag)


def test_replace_copies_with_changes_and_refuses_unknown_fields():
    @record
    class Pair:
        a: int
        b: int = 0

    p = Pair(1, 2)
    assert replace(p, b=5) == Pair(1, 5) and p == Pair(1, 2)
    with pytest.raises(TypeError, match="no field 'c'"):
        replace(p, c=1)


def test_wrong_arguments_are_type_errors_like_dataclasses():
    _, Ours = both()
    for args, kwargs, message in [((), {}, "missing required argument: 'x'"),
                                  ((1, 2, "l", [], 5), {}, "takes 4 arguments but 5"),
                                  ((1, 2), {"z": 1}, "unexpected keyword argument 'z'"),
                                  ((1, 2), {"x": 1}, "multiple values for argument 'x'")]:
        with pytest.raises(TypeError, match=message):
            Ours(*args, **kwargs)


def test_declaration_errors():
    with pytest.raises(TypeError, match="without a default follows"):
        @record
        class Bad:
            a: int = 0
            b: int

    with pytest.raises(TypeError, match="defines __eq__"):
        @record
        class Own:  # noqa: PLW1641 (refused before any instance exists)
            a: int

            def __eq__(self, other):
                return True


def test_fields_left_out_of_equality_and_repr_as_in_dataclasses():
    made = []
    for deco, fld in ((dataclasses.dataclass(frozen=True), dataclasses.field), (record, field)):
        ns = {"__annotations__": {"source": "str", "cache": "tuple | None"}, "__qualname__": "Data",
              "cache": fld(default=None, compare=False, repr=False), "__module__": __name__}
        made.append(deco(type("Data", (), ns)))
    for Data in made:
        a, b = Data("rows.csv", (1.0,)), Data("rows.csv")
        assert a == b and hash(a) == hash(b) and a != Data("other.csv")
        assert repr(a) == "Data(source='rows.csv')"
        assert a.cache == (1.0,) and b.cache is None
