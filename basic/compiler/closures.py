"""The cold tier: IR turned into a tree of Python closures, with no call to compile().

Code outside every loop of a script's main body runs once per run, so what it costs is being
compiled, not being run, and CPython's compile() of generated source costs several times more
than building one closure per node. So :mod:`basic.compiler.codegen` hands such blocks here and
keeps generated Python (with inlined fast paths) for hot code: loops and procedures. Both tiers
call the same helpers of :mod:`basic.vm.ops` and :mod:`basic.values`, so they agree on
semantics by construction, and neither can reach anything else.

A *step* is ``f(rt, v) -> int | None``: None to go on with the next step, or the block number
(or control code) the block returns. A block is a list of ``(step, (line, column))`` whose last
step always returns. Errors leave a step placed at its statement's position, like the line
table does for generated code; in a procedure with ON ERROR every step is handled on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from basic import nodes as n
from basic.builtins import BUILTINS
from basic.compiler import ir
from basic.compiler.lower import needs_copy
from basic.errors import BasicError, BasicRuntimeError, BasicSyntaxError
from basic.vm import ops
from basic.vm.ops import NAMESPACE

if TYPE_CHECKING:
    from basic.compiler.codegen import ProcCodegen

Fn = Callable[[Any, dict], Any]
Step = Callable[[Any, dict], "int | None"]
Steps = list[tuple[Step, tuple[int, int]]]

END = -1
# BASIC operator -> name of its helper in basic.values (also what generated code calls).
BINARY_HELPERS = {
    "+": "add", "-": "sub", "*": "mul", "/": "div", "\\": "idiv", "MOD": "mod", "^": "power",
    "&": "concat", "=": "eq", "==": "eq", "<>": "ne", "!=": "ne", "<": "lt", "<=": "le", ">": "gt",
    ">=": "ge", "LIKE": "like",
}
# Resolved once here, not per node: a function-level import on every operator was a top cost.
_BINARY_FUNCS = {op: NAMESPACE[name] for op, name in BINARY_HELPERS.items()}
_ERR_ATTRS = {"err": "err_number", "err_number": "err_number", "err_description": "err_description"}
_BOOLEAN_OPS = {"=", "==", "<>", "!=", "<", "<=", ">", ">=", "LIKE", "IN", "NOT IN", "AND", "OR"}
_INTERNAL = {"FORNUM": ops.fornum, "FORSTEP": ops.forstep, "EACHLIST": ops.eachlist,
             "CASECMP": ops.case_compare}
_SHARED_CONSTANTS = frozenset({str, int, bool, type(None)})
_to_text = NAMESPACE["to_text"]
_truthy = NAMESPACE["truthy"]
_contains = NAMESPACE["contains"]


# Closure factories. Why separate functions: a lambda written inside a builder method makes
# every call of that method allocate a cell for each variable any of its lambdas captures. What a
# closure needs is bound as a default argument rather than captured: a function with defaults is
# one object less per value than one with cells, which is cheaper to make, to read from, and for
# the cyclic collector to scan. (Every closure is called with exactly ``(rt, v)``.)


def _literal(value: Any) -> Fn:
    if isinstance(value, (list, dict)):
        return lambda rt, v, value=value: ops.cp(value)
    return lambda rt, v, value=value: value


def _variable(name: str) -> Fn:
    return lambda rt, v, name=name: v[name]


def _rt_attr(attr: str) -> Fn:
    return lambda rt, v, attr=attr: getattr(rt, attr)


def _member(obj: Fn, field: str) -> Fn:
    return lambda rt, v, obj=obj, field=field: ops.mem(obj(rt, v), field)


def _index(obj: Fn, index: Fn) -> Fn:
    return lambda rt, v, obj=obj, index=index: ops.idx(obj(rt, v), index(rt, v))


def _joined(parts: list[Fn]) -> Fn:
    return lambda rt, v, parts=parts: "".join([p(rt, v) for p in parts])


def _array(items: list[Fn]) -> Fn:
    return lambda rt, v, items=items: [f(rt, v) for f in items]


def _map(entries: list[tuple[str, Fn]]) -> Fn:
    return lambda rt, v, entries=entries: {k: f(rt, v) for k, f in entries}


def _logical(both: bool, left: Fn, right: Fn) -> Fn:
    if both:
        return lambda rt, v, left=left, right=right: left(rt, v) and right(rt, v)
    return lambda rt, v, left=left, right=right: left(rt, v) or right(rt, v)


def _membership(inside: bool, haystack: Fn, needle: Fn) -> Fn:
    if inside:
        return lambda rt, v, haystack=haystack, needle=needle: _contains(haystack(rt, v), needle(rt, v))
    return lambda rt, v, haystack=haystack, needle=needle: not _contains(haystack(rt, v), needle(rt, v))


def _operator(func: Callable[[Any, Any], Any], left: Fn, right: Fn) -> Fn:
    return lambda rt, v, func=func, left=left, right=right: func(left(rt, v), right(rt, v))


def _operator_constant(func: Callable[[Any, Any], Any], left: Fn, right: Any) -> Fn:
    """An operator whose right side is a constant (``x > 10``): the same call, one closure less."""
    return lambda rt, v, func=func, left=left, right=right: func(left(rt, v), right)


def _applied(func: Callable[..., Any], args: list[Fn], needs_context: bool) -> Fn:
    if needs_context:
        return lambda rt, v, func=func, args=args: func(rt, *[a(rt, v) for a in args])
    if len(args) == 1:
        return lambda rt, v, func=func, arg=args[0]: func(arg(rt, v))
    return lambda rt, v, func=func, args=args: func(*[a(rt, v) for a in args])


def _copied(value: Fn) -> Fn:
    return lambda rt, v, value=value: ops.cp(value(rt, v))


def _assign(name: str, value: Fn) -> Step:
    def assign(rt: Any, v: dict, name: str = name, value: Fn = value) -> None:
        v[name] = value(rt, v)

    return assign


def _assign_path(base: str, steps: Fn, value: Fn) -> Step:
    return lambda rt, v, base=base, steps=steps, value=value: ops.set_path(
        v, base, steps(rt, v), value(rt, v)
    )


def located(exc: BaseException, pos: tuple[int, int]) -> BasicError:
    """The author's error for ``exc`` at ``pos`` (an error that has a position keeps it)."""
    err = exc if isinstance(exc, BasicError) else BasicRuntimeError(ops.python_error_message(exc))
    if not err.has_position:
        err.line, err.column = pos
    return err


def run_plain(steps: Steps, rt: Any, v: dict) -> int | None:
    for step, pos in steps:
        try:
            result = step(rt, v)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a positioned BasicError
            raise located(exc, pos) from None
        if result is not None:
            return result
    return None


def run_safe(steps: Steps, rt: Any, v: dict) -> int | None:
    """Under ON ERROR: each failing step goes to the run's handler (resume next, or a jump)."""
    for step, pos in steps:
        try:
            result = step(rt, v)
        except Exception as exc:  # noqa: BLE001 - handled as ON ERROR says
            rt.handle(exc, pos[0], pos[1])
            continue
        if result is not None:
            return result
    return None


def make_block(steps: Steps, safe: bool) -> Step:
    run = run_safe if safe else run_plain

    def block(rt: Any, v: dict, run: Callable[..., Any] = run, steps: Steps = steps) -> int:
        result = run(steps, rt, v)
        return END if result is None else result

    return block



def _handled(fn: Fn, line: int, column: int, fallback: Any) -> Fn:
    """``fn`` under ON ERROR: a failure is handled at (line, column) and ``fallback`` returned
    (None for a RETURN value, False for a condition, the next block for a keyword call)."""

    def run(rt: Any, v: dict) -> Any:
        try:
            return fn(rt, v)
        except Exception as exc:  # noqa: BLE001 - handled as ON ERROR says
            rt.handle(exc, line, column)
            return fallback

    return run

class ClosureBuilder:
    """Builds the steps of one procedure's cold blocks; ``gen`` supplies labels, loops and
    compile-time errors, so both tiers reject the same mistakes with the same messages."""

    def __init__(self, gen: ProcCodegen) -> None:
        self.gen = gen
        self.safe = gen.safe
        self.run = run_safe if gen.safe else run_plain
        # Reading a variable or a constant is the same closure wherever it appears: made once.
        self.leaves: dict[tuple[type, Any], Fn] = {}

    # --- expressions -------------------------------------------------------------------------

    def expr(self, e: n.Expr) -> Fn:  # noqa: C901 - one case per node type
        # Each closure comes from a small module-level factory: a lambda written here would
        # make every call of this method allocate a cell for every variable any case captures,
        # and those allocations (and the collections they trigger) were most of its cost.
        # (One frame per level of nesting, as in lowering: how deep an expression may be.)
        cls = e.__class__
        if cls is n.Name:  # the same closure for every read of a variable
            key = (cls, e.name)  # type: ignore[attr-defined]
            fn = self.leaves.get(key)
            if fn is None:
                name = e.name  # type: ignore[attr-defined]
                fn = self.leaves[key] = _rt_attr(_ERR_ATTRS[name]) if name in _ERR_ATTRS else _variable(name)
            return fn
        if cls is n.Literal:
            value = e.value  # type: ignore[attr-defined]
            if value.__class__ not in _SHARED_CONSTANTS:  # not floats: 0.0 == -0.0
                return _literal(value)
            key = (value.__class__, value)
            fn = self.leaves.get(key)
            if fn is None:
                fn = self.leaves[key] = _literal(value)
            return fn
        if cls is n.Binary:
            return self.binary(e)  # type: ignore[arg-type]
        if cls is n.Call:
            return self.call(e)  # type: ignore[arg-type]
        if isinstance(e, n.Literal):
            return _literal(e.value)
        if isinstance(e, n.Name):
            if e.name in _ERR_ATTRS:
                return _rt_attr(_ERR_ATTRS[e.name])
            return _variable(e.name)
        if isinstance(e, n.Member):
            if isinstance(e.obj, n.Name) and e.obj.name == "err" and e.name in ("number", "description"):
                return _rt_attr("err_" + e.name)
            return _member(self.expr(e.obj), e.name)  # type: ignore[arg-type]
        if isinstance(e, n.Index):
            return _index(self.expr(e.obj), self.expr(e.index))
        if isinstance(e, n.Call):
            return self.call(e)
        if isinstance(e, n.MethodCall):
            return self.method(e)
        if isinstance(e, n.Unary):
            return self.unary(e)
        if isinstance(e, n.Binary):
            return self.binary(e)
        if isinstance(e, n.Interpolated):
            return _joined([self._text_part(p) for p in e.parts])
        if isinstance(e, n.ArrayLiteral):
            return _array([self.stored(x) for x in e.items])
        if isinstance(e, n.MapLiteral):
            return _map([(k, self.stored(x)) for k, x in e.entries])
        raise self.gen.error(f"cannot compile {type(e).__name__} here", e)

    def _text_part(self, part: str | n.Expr) -> Fn:
        if isinstance(part, str):
            return lambda rt, v: part
        f = self.expr(part)
        return lambda rt, v: _to_text(f(rt, v))

    def call(self, e: n.Call) -> Fn:
        args = [self.expr(a) for a in e.args]
        if e.name in _INTERNAL:
            return _applied(_INTERNAL[e.name], args, False)
        spec = BUILTINS[e.name.upper()]
        return _applied(spec.func, args, spec.needs_context)

    def unary(self, e: n.Unary) -> Fn:
        if e.op in ("-", "+"):
            func = NAMESPACE["neg" if e.op == "-" else "pos"]
            operand = self.expr(e.operand)
            return lambda rt, v: func(operand(rt, v))
        if e.op == "NOT":
            test = self.cond(e.operand)
            return lambda rt, v: not test(rt, v)
        if e.op == "BOOL":
            return self.cond(e.operand)
        raise self.gen.error(f"unknown operator {e.op}", e)

    def binary(self, e: n.Binary) -> Fn:
        op = e.op.upper()
        if op in ("AND", "OR"):
            return _logical(op == "AND", self.cond(e.left), self.cond(e.right))
        if op in ("IN", "NOT IN"):
            haystack, needle = self.expr(e.right), self.expr(e.left)  # in generated code's order
            return _membership(op == "IN", haystack, needle)
        func = _BINARY_FUNCS.get(op)
        if func is None:
            raise self.gen.error(f"unknown operator {e.op}", e)
        left = self.expr(e.left)
        right = e.right
        if right.__class__ is n.Literal and not isinstance(right.value, (list, dict)):  # type: ignore[attr-defined]
            return _operator_constant(func, left, right.value)  # type: ignore[attr-defined]
        return _operator(func, left, self.expr(right))

    def cond(self, e: n.Expr) -> Fn:
        """A Python truth value for a BASIC condition."""
        boolean = (
            (isinstance(e, n.Binary) and e.op.upper() in _BOOLEAN_OPS)
            or (isinstance(e, n.Unary) and e.op in ("NOT", "BOOL"))
            or (isinstance(e, n.Literal) and isinstance(e.value, bool))
            or (isinstance(e, n.Call) and e.name == "CASECMP")
        )
        f = self.expr(e)
        if boolean:
            return f
        return lambda rt, v, f=f: _truthy(f(rt, v))

    def stored(self, e: n.Expr) -> Fn:
        """The value to store: copied when it could alias another variable's list or map."""
        f = self.expr(e)
        if needs_copy(e):
            return lambda rt, v, f=f: ops.cp(f(rt, v))
        return f

    def path(self, t: n.Expr) -> tuple[str, Fn]:
        """``(base variable, steps)`` of an assignable target; steps gives the path tuple."""
        parts: list[tuple[str, Fn]] = []
        while not isinstance(t, n.Name):
            if isinstance(t, n.Member):
                field = t.name
                parts.append((".", lambda rt, v, field=field: field))
                t = t.obj
            elif isinstance(t, n.Index):
                parts.append(("[", self.expr(t.index)))
                t = t.obj
            else:
                raise self.gen.error("only a variable, a field or an element can be changed", t)
        parts.reverse()
        return t.name, lambda rt, v: tuple([(kind, f(rt, v)) for kind, f in parts])

    def method(self, e: n.MethodCall) -> Fn:
        args = [self.stored(a) for a in e.args]
        name = e.name.upper()
        if isinstance(e.obj, (n.Name, n.Member, n.Index)) and not (
            isinstance(e.obj, n.Name) and e.obj.name in _ERR_ATTRS
        ):
            try:
                base, steps = self.path(e.obj)
            except BasicSyntaxError:
                base = None
            if base is not None:
                return lambda rt, v: ops.method_ref(rt, v, base, steps(rt, v), name, [a(rt, v) for a in args])
        obj = self.expr(e.obj)
        return lambda rt, v: ops.method_value(rt, obj(rt, v), name, [a(rt, v) for a in args])

    # --- statements that cannot suspend --------------------------------------------------------

    def native(self, s: Any) -> Step:  # noqa: C901 - one case per statement type
        if s.__class__ is ir.SAssign:  # the most common statement first
            return self.assign_step(s)
        gen = self.gen
        if isinstance(s, ir.SIf):
            return self.if_step(s.branches, s.else_body, (s.line, s.column))
        if isinstance(s, ir.SGoto):
            if s.label not in gen.labels:
                raise gen.error(f"GOTO {s.label}: there is no label {s.label}: in this procedure", s)
            return self.jump(gen.labels[s.label])
        if isinstance(s, ir.SExit):
            return self.exit_step(s)
        if isinstance(s, ir.SReturn):
            return self.return_step(s)
        if isinstance(s, ir.SOnError):
            mode: str | int = s.mode
            if s.mode == "goto":
                if s.label not in gen.labels:
                    raise gen.error(f"ON ERROR GOTO {s.label}: there is no label {s.label}: here", s)
                mode = gen.labels[s.label]
            return lambda rt, v, mode=mode: rt.on_error(mode)
        if isinstance(s, ir.SAssign):
            return self.assign_step(s)
        if isinstance(s, ir.SEval):
            f = self.expr(s.expr)

            def evaluate(rt: Any, v: dict, f: Fn = f) -> None:
                f(rt, v)

            return evaluate
        if isinstance(s, ir.SEnsureMap):
            base, steps = self.path(s.target)
            return lambda rt, v: ops.ensure_map(v, base, steps(rt, v))
        raise gen.error(f"cannot compile {type(s).__name__}", s)

    def assign_step(self, s: ir.SAssign) -> Step:
        value = self.expr(s.value)
        if s.copy:
            value = _copied(value)
        if isinstance(s.target, n.Name):
            name = s.target.name
            if name in _ERR_ATTRS:
                raise self.gen.error(f"{name.upper()} is read-only: it holds the last error", s)
            return _assign(name, value)
        base, steps = self.path(s.target)
        return _assign_path(base, steps, value)

    def exit_step(self, s: ir.SExit) -> Step:
        if s.kind in ("SUB", "FUNCTION"):
            return lambda rt, v: END
        loop = self.gen._exit_target(s)
        if loop is None:
            raise self.gen.error(f"EXIT {s.kind}: expected EXIT FOR, DO, WHILE, SUB or FUNCTION", s)
        return self.jump(loop.exit_block)  # type: ignore[arg-type]  # cold code is never in a native loop

    def return_step(self, s: ir.SReturn) -> Step:
        value = self.stored(s.value) if s.value is not None else (lambda rt, v: None)
        if not self.safe:
            return lambda rt, v: rt.ret(value(rt, v))
        handled = _handled(value, s.line, s.column, None)
        return lambda rt, v: rt.ret(handled(rt, v))

    def guarded_cond(self, e: n.Expr, pos: tuple[int, int]) -> Fn:
        """A condition; under ON ERROR a failing one is handled and counts as false."""
        test = self.cond(e)
        if not self.safe:
            return test
        return _handled(test, pos[0], pos[1], False)

    def body(self, stmts: list) -> Steps:
        return [(self.native(x), (x.line, x.column)) for x in stmts]

    def if_step(self, branches: list, else_body: list | None, pos: tuple[int, int]) -> Step:
        tests = [(self.guarded_cond(c, pos), self.body(b)) for c, b in branches]
        otherwise = self.body(else_body) if else_body else None
        run = self.run

        def choose(rt: Any, v: dict) -> int | None:
            for test, steps in tests:
                if test(rt, v):
                    return run(steps, rt, v)
            if otherwise is not None:
                return run(otherwise, rt, v)
            return None

        return choose

    def forget(self, names: tuple[str, ...]) -> Step:
        """Drop a finished loop's hidden variables."""
        hidden = [h for h in names if h]

        def pop(rt: Any, v: dict) -> None:
            for h in hidden:
                v.pop(h, None)

        return pop

    # --- steps that end a block -----------------------------------------------------------------

    def jump(self, target: int) -> Step:
        return lambda rt, v, target=target: target

    def branch(self, cond: n.Expr, then: int, otherwise: int, pos: tuple[int, int]) -> Step:
        test = self.guarded_cond(cond, pos)
        return lambda rt, v, test=test, then=then, otherwise=otherwise: then if test(rt, v) else otherwise

    def guarded(self, call: Step, nxt: int, pos: tuple[int, int]) -> Step:
        """A suspending call; under ON ERROR its failure is handled and the run goes on."""
        if not self.safe:
            return call
        return _handled(call, pos[0], pos[1], nxt)

    def keyword(self, s: ir.SKeyword, nxt: int) -> Step:
        args, site, target = self.kw_args(s.args), s.site, s.target
        call = lambda rt, v, site=site, args=args, nxt=nxt, target=target: rt.kw(  # noqa: E731
            site, args(rt, v), nxt, target)
        return self.guarded(call, nxt, (s.line, s.column))

    def user_call(self, s: ir.SCall, nxt: int) -> Step:
        args = [self.stored(a) for a in s.args]
        name, target, external, line, column = s.name, s.target, s.external, s.line, s.column
        call = lambda rt, v: rt.call(  # noqa: E731
            name, [a(rt, v) for a in args], nxt, target, external, line, column)
        return self.guarded(call, nxt, (line, column))

    def kw_args(self, args: dict) -> Fn:
        items = [(key, self.kw_value(value)) for key, value in args.items()]
        return lambda rt, v, items=items: {key: f(rt, v) for key, f in items}

    def kw_value(self, value: Any) -> Fn:
        if isinstance(value, n.Node):
            return self.stored(value)
        if isinstance(value, list):
            items = [self.kw_value(x) for x in value]
            return lambda rt, v: [f(rt, v) for f in items]
        if isinstance(value, dict):
            return self.kw_args(value)
        return lambda rt, v: value
