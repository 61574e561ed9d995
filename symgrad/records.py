"""Record classes without the start-up cost of ``dataclasses``.

Every stage hands the next an immutable record (``Problem``, ``Derivation``, ``Numbers``,
...). ``dataclasses.dataclass`` writes each class's ``__init__``, ``__eq__``, ``__hash__``,
``__repr__`` and ``__setattr__`` as source text and compiles it: about 4 million
instructions per class, and symgrad's 40-odd records made that a tenth of
``import sympy`` on every run (issue 7's start-up bar). :func:`record` builds the same
methods as closures over the field names, so declaring a record costs almost nothing; the
class is written exactly as a dataclass would be::

    @record
    class Quantity:
        name: str
        expr: sp.Expr
        note: str = ""

Semantics follow ``@dataclass(frozen=True)`` (or ``@dataclass`` with ``frozen=False``):
fields are the class's own annotations in order, defaults come from class attributes or
:func:`field`, equality compares the fields as a tuple between instances of the same class,
frozen records hash that tuple and refuse assignment (``functools.cached_property`` still
works: it writes the instance dictionary), mutable ones are unhashable. :func:`replace`
copies a record with some fields changed. Inheritance between records is not supported
(symgrad has none).
"""

from __future__ import annotations

import inspect
from operator import itemgetter

_MISSING = object()


class _FactoryDefault:
    """What a signature shows for a field made by a default factory (as dataclasses shows it)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _FactoryDefault()


class FrozenRecordError(AttributeError):
    """Assigning to (or deleting) a field of a frozen record."""


class _Field:
    __slots__ = ("default", "factory", "compare", "repr")

    def __init__(self, default, factory, compare, repr):
        self.default, self.factory, self.compare, self.repr = default, factory, compare, repr


def field(*, default=_MISSING, default_factory=_MISSING, compare: bool = True, repr: bool = True):
    """A field's default value, or a function called for each new record (``list``, ``dict``);
    ``compare=False`` leaves it out of equality and the hash, ``repr=False`` out of the repr."""
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("give a default or a default_factory, not both")
    return _Field(default, default_factory, compare, repr)


def _fields(cls) -> tuple[tuple[str, ...], dict, dict, set]:
    """Field names in order, plain defaults, default factories, and the names left out of
    equality (``"compare"``) or the repr (``"repr"``), from the class body."""
    names, defaults, factories, hidden = [], {}, {}, set()
    for name in cls.__dict__.get("__annotations__", {}):
        names.append(name)
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, _Field):
            hidden.update((what, name) for what in ("compare", "repr") if not getattr(value, what))
            if value.factory is not _MISSING:
                factories[name] = value.factory
                delattr(cls, name)
                continue
            value = value.default
            if value is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, value)
        if value is not _MISSING:
            defaults[name] = value
        elif defaults or factories:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with a default")
    return tuple(names), defaults, factories, hidden


def _make_init(cls, names, defaults, factories):
    count, known, title = len(names), frozenset(names), cls.__name__
    # positional arguments from this many on leave only plain defaults to fill in
    optional = count if factories else min([names.index(n) for n in defaults], default=count)
    tail = tuple(defaults.get(n) for n in names)

    def __init__(self, *args, **kwargs):
        if not kwargs and optional <= len(args) <= count:  # the common case
            self.__dict__.update(zip(names, args + tail[len(args):]))
            return
        if len(args) > count:
            raise TypeError(f"{title}() takes {count} arguments but {len(args)} were given")
        values = dict(zip(names, args))
        values.update(kwargs)
        if len(values) < len(args) + len(kwargs) or not known.issuperset(kwargs):
            for key in kwargs:
                if key not in known:
                    raise TypeError(f"{title}() got an unexpected keyword argument {key!r}")
                if key in names[:len(args)]:
                    raise TypeError(f"{title}() got multiple values for argument {key!r}")
        if len(values) < count:
            for key in names:
                if key in values:
                    continue
                if key in defaults:
                    values[key] = defaults[key]
                elif key in factories:
                    values[key] = factories[key]()
                else:
                    raise TypeError(f"{title}() missing required argument: {key!r}")
        self.__dict__.update(values)

    empty, kind = inspect.Parameter.empty, inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("self", kind)] + [inspect.Parameter(n, kind,
                                default=_FACTORY if n in factories else defaults.get(n, empty),
                                annotation=cls.__annotations__.get(n, empty)) for n in names]
    __init__.__signature__ = inspect.Signature(params, return_annotation=None)
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _key(names):
    """The fields of a record as a tuple, read from its dictionary."""
    if not names:
        return lambda self: ()
    if len(names) == 1:
        (only,) = names
        return lambda self: (self.__dict__[only],)
    get = itemgetter(*names)
    return lambda self: get(self.__dict__)


def record(cls=None, /, *, frozen: bool = True, repr: bool = True):
    """Make ``cls`` a record: ``@record``, ``@record(frozen=False)``, ``@record(repr=False)``."""

    def build(cls):
        made = ("__init__", "__eq__", "__hash__") + ("__setattr__", "__delattr__") * frozen
        own = [m for m in made + ("__repr__",) * repr if m in cls.__dict__]
        if own:
            raise TypeError(f"{cls.__name__} defines {own[0]}, which @record writes")
        names, defaults, factories, hidden = _fields(cls)
        key = _key(tuple(n for n in names if ("compare", n) not in hidden))
        shown = tuple(n for n in names if ("repr", n) not in hidden)
        cls.__record_fields__ = names
        cls.__match_args__ = names
        cls.__init__ = _make_init(cls, names, defaults, factories)

        def __eq__(self, other):
            if other.__class__ is not self.__class__:
                return NotImplemented
            return key(self) == key(other)

        cls.__eq__ = __eq__
        if repr:
            def __repr__(self):
                state = self.__dict__
                inside = ", ".join(f"{n}={state[n]!r}" for n in shown)
                return f"{type(self).__qualname__}({inside})"

            cls.__repr__ = __repr__
        if frozen:
            def __hash__(self):
                return hash(key(self))

            def __setattr__(self, name, value):
                raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen {cls.__name__}")

            def __delattr__(self, name):
                raise FrozenRecordError(f"cannot delete field {name!r} of a frozen {cls.__name__}")

            cls.__hash__, cls.__setattr__, cls.__delattr__ = __hash__, __setattr__, __delattr__
        else:
            cls.__hash__ = None
        return cls

    return build if cls is None else build(cls)


def replace(obj, /, **changes):
    """A copy of the record ``obj`` with the given fields changed."""
    state = obj.__dict__
    values = {n: state[n] for n in type(obj).__record_fields__}
    for name in changes:
        if name not in values:
            raise TypeError(f"{type(obj).__name__} has no field {name!r}")
    values.update(changes)
    return type(obj)(**values)
