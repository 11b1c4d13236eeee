"""Lowering: AST statements to the IR of :mod:`basic.compiler.ir`.

It resolves every call by name (user procedure first, then built-in function, then keyword
phrase written with underscores, then another script), hoists the calls that may suspend out of
expressions in evaluation order, turns SELECT CASE into an IF chain over a hidden subject, and
FOR/FOR EACH set-up into assignments of hidden loop state. Compile-time mistakes (wrong number
of arguments to a built-in, an unknown keyword) are raised here with their position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from basic import nodes as n
from basic import syntax
from basic.builtins import BUILTINS
from basic.compiler import ir
from basic.errors import BasicSyntaxError
from basic.registry import KeywordRegistry, KeywordSpec


@dataclass(slots=True)
class Site:
    """One use of a keyword in the script: the spec to call and where it is."""

    phrase: str
    spec: KeywordSpec
    line: int
    column: int
    body: str = ""  # a block keyword's body procedure (ON EVENT's handler)


def positional_slots(spec: KeywordSpec) -> list[str]:
    """The value slot names of a spec's first form, in order: how ``GET_BOT_MEMORY("k")`` maps
    its positional arguments onto the slots of ``GET BOT MEMORY``."""
    if not spec.forms:
        return []
    names: list[str] = []

    def walk(elements: tuple) -> None:
        for element in elements:
            if isinstance(element, syntax.Slot):
                names.append(element.name)
            elif isinstance(element, syntax.Optional):
                walk(element.elements)

    walk(syntax.compile_form(spec.forms[0]).elements)
    return names


# Helpers the compiler itself calls; upper case, which parsed names never are.
INTERNAL_CALLS = frozenset({"FORNUM", "FORSTEP", "EACHLIST", "CASECMP"})


class Lowerer:
    """Lowers one script; shared by its procedures so temporaries and sites are unique."""

    def __init__(self, program: n.Program, registry: KeywordRegistry) -> None:
        self.program = program
        self.registry = registry
        self.sites: list[Site] = []
        self.extra_procedures: dict[str, n.Procedure] = {}
        self._counter = 0
        self._with: list[n.Name | n.Member | n.Index] = []
        self._specs: dict[str, KeywordSpec] = {}  # phrase as written -> spec, looked up once

    # --- helpers -------------------------------------------------------------------------

    def _tmp(self) -> str:
        self._counter += 1
        return f"#t{self._counter}"

    def _hidden(self, what: str) -> str:
        self._counter += 1
        return f"#{what}{self._counter}"

    def _site(self, call: n.KeywordCall) -> int:
        spec = self._specs.get(call.phrase)
        if spec is None:
            spec = self.registry.get(call.phrase)
            if spec is not None:
                self._specs[call.phrase] = spec
        if spec is None:
            close = self.registry.closest(call.phrase)
            hint = f"; did you mean {close}?" if close else ""
            raise BasicSyntaxError(
                f"unknown keyword {call.phrase}{hint}",
                file=self.program.file, line=call.line, column=call.column,
            )
        self.sites.append(Site(spec.key, spec, call.line, call.column))
        return len(self.sites) - 1

    def error(self, message: str, node: Any) -> BasicSyntaxError:
        return BasicSyntaxError(message, file=self.program.file, line=node.line, column=node.column)

    # --- expressions ---------------------------------------------------------------------

    def expr(self, e: n.Expr, pre: list) -> n.Expr:
        """Return the pure form of ``e``, appending hoisted statements to ``pre``."""
        cls = e.__class__  # the commonest nodes first, by class (node classes have no subclasses)
        if cls is n.Name or cls is n.Literal:
            return e
        if cls is n.Binary:
            return self._binary(e, pre)  # type: ignore[arg-type]
        if isinstance(e, n.ArrayLiteral):
            return n.ArrayLiteral(e.line, e.column, [self.expr(x, pre) for x in e.items])
        if isinstance(e, n.MapLiteral):
            return n.MapLiteral(e.line, e.column, [(k, self.expr(x, pre)) for k, x in e.entries])
        if isinstance(e, n.Member):
            if e.obj is None:
                if not self._with:
                    raise self.error(f".{e.name} is only allowed inside a WITH block", e)
                return n.Member(e.line, e.column, self._with[-1], e.name)
            obj = self.expr(e.obj, pre)
            return e if obj is e.obj else n.Member(e.line, e.column, obj, e.name)
        if isinstance(e, n.Index):
            obj = self.expr(e.obj, pre)
            index = self.expr(e.index, pre)
            return e if obj is e.obj and index is e.index else n.Index(e.line, e.column, obj, index)
        if isinstance(e, n.Unary):
            operand = self.expr(e.operand, pre)
            return e if operand is e.operand else n.Unary(e.line, e.column, e.op, operand)
        if isinstance(e, n.Binary):
            return self._binary(e, pre)
        if isinstance(e, n.Interpolated):
            parts = [p if isinstance(p, str) else self.expr(p, pre) for p in e.parts]
            return n.Interpolated(e.line, e.column, parts)
        if isinstance(e, n.MethodCall):
            obj = self.expr(e.obj, pre)
            return n.MethodCall(e.line, e.column, obj, e.name, [self.expr(a, pre) for a in e.args])
        if isinstance(e, n.KeywordCall):
            tmp = self._tmp()
            pre.append(ir.SKeyword(e.line, e.column, self._site(e), self._kw_args(e, pre), tmp))
            return n.Name(e.line, e.column, tmp)
        if isinstance(e, n.Call):
            if e.name in INTERNAL_CALLS:
                return self._same_call(e, pre, e.name)
            return self._call(e, pre, want_value=True)
        raise self.error(f"unsupported expression {type(e).__name__}", e)

    def _binary(self, e: n.Binary, pre: list) -> n.Expr:
        left = self.expr(e.left, pre)
        if e.op != "AND" and e.op != "OR":
            right = self.expr(e.right, pre)
            if left is e.left and right is e.right:
                return e  # nothing hoisted: the node is already pure (nodes are never changed)
            return n.Binary(e.line, e.column, e.op, left, right)
        right_pre: list = []
        right = self.expr(e.right, right_pre)
        if not right_pre:
            if left is e.left and right is e.right:
                return e
            return n.Binary(e.line, e.column, e.op, left, right)
        # The right side calls something that may suspend: evaluate it only when needed.
        tmp = n.Name(e.line, e.column, self._tmp())
        pre.append(ir.SAssign(e.line, e.column, tmp, n.Unary(e.line, e.column, "BOOL", left)))
        test: n.Expr = tmp if e.op == "AND" else n.Unary(e.line, e.column, "NOT", tmp)
        body = right_pre + [ir.SAssign(e.line, e.column, tmp, n.Unary(e.line, e.column, "BOOL", right))]
        pre.append(ir.SIf(e.line, e.column, [(test, body)], None))
        return tmp

    def _same_call(self, e: n.Call, pre: list, name: str) -> n.Call:
        """A built-in call with its arguments lowered (the node itself when nothing changed:
        nodes are never modified after parsing, so the IR may share them)."""
        args = [self.expr(a, pre) for a in e.args]
        if name == e.name:
            for new, old in zip(args, e.args, strict=True):
                if new is not old:
                    break
            else:
                return e
        return n.Call(e.line, e.column, name, args)

    def _kw_args(self, call: n.KeywordCall, pre: list) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in call.args.items():
            if isinstance(value, list):
                out[key] = [self.expr(x, pre) if isinstance(x, n.Node) else x for x in value]
            elif isinstance(value, n.Node):
                out[key] = self.expr(value, pre)
            else:
                out[key] = value
        return out

    def _call(self, e: n.Call, pre: list, *, want_value: bool) -> n.Expr | None:
        name = e.name.lower()
        procs = self.program.procedures
        if name in procs:
            proc = procs[name]
            if len(e.args) > len(proc.params):
                raise self.error(
                    f"{proc.kind} {proc.name} takes {len(proc.params)} argument"
                    f"{'s' if len(proc.params) != 1 else ''}, got {len(e.args)}", e,
                )
            args = [self.expr(a, pre) for a in e.args]
            tmp = self._tmp() if want_value else None
            pre.append(ir.SCall(e.line, e.column, name, args, tmp, external=False))
            return n.Name(e.line, e.column, tmp) if tmp else None
        builtin = BUILTINS.get(name.upper())
        if builtin is not None:
            if not builtin.accepts(len(e.args)):
                params = f" ({builtin.parameters})" if builtin.parameters else ""
                raise self.error(
                    f"{name.upper()} takes {builtin.arity_text()}{params}, got {len(e.args)}", e
                )
            return self._same_call(e, pre, name)
        spec = self.registry.get(name.replace("_", " "))
        if spec is not None:
            slots = positional_slots(spec)
            if len(e.args) > len(slots):
                raise self.error(
                    f"{spec.key} takes at most {len(slots)} argument{'s' if len(slots) != 1 else ''}"
                    f", got {len(e.args)}", e,
                )
            call = n.KeywordCall(e.line, e.column, spec.key, dict(zip(slots, e.args, strict=False)))
            tmp = self._tmp()
            pre.append(ir.SKeyword(e.line, e.column, self._site(call), self._kw_args(call, pre), tmp))
            return n.Name(e.line, e.column, tmp)
        args = [self.expr(a, pre) for a in e.args]
        tmp = self._tmp() if want_value else None
        pre.append(ir.SCall(e.line, e.column, name, args, tmp, external=True))
        return n.Name(e.line, e.column, tmp) if tmp else None

    def may_suspend(self, e: Any) -> bool:
        """Whether evaluating ``e`` calls a keyword, a user procedure or another script."""
        if isinstance(e, n.KeywordCall):
            return True
        if isinstance(e, n.Call) and e.name not in INTERNAL_CALLS:
            name = e.name.lower()
            if name in self.program.procedures or name.upper() not in BUILTINS:
                return True
        if isinstance(e, list):
            return any(self.may_suspend(x) for x in e)
        if isinstance(e, tuple):
            return any(self.may_suspend(x) for x in e)
        if isinstance(e, n.Node):
            return any(self.may_suspend(getattr(e, f)) for f in e.__slots__ if f not in ("line", "column"))
        return False

    # --- statements ----------------------------------------------------------------------

    def body(self, stmts: list[n.Stmt]) -> list:
        out: list = []
        for s in stmts:
            self.stmt(s, out)
        return out

    def _target(self, t: n.Expr, pre: list) -> n.Name | n.Member | n.Index:
        if isinstance(t, n.Name):
            return t
        if isinstance(t, n.Member):
            if t.obj is None:
                if not self._with:
                    raise self.error(f".{t.name} is only allowed inside a WITH block", t)
                return n.Member(t.line, t.column, self._with[-1], t.name)
            return n.Member(t.line, t.column, self._target(t.obj, pre), t.name)
        if isinstance(t, n.Index):
            obj = self._target(t.obj, pre)
            return n.Index(t.line, t.column, obj, self.expr(t.index, pre))
        raise self.error("only a variable, a field or an element can be assigned to", t)

    def stmt(self, s: n.Stmt, out: list) -> None:
        if isinstance(s, n.Assign):
            value = s.value
            if isinstance(s.target, n.Name) and isinstance(value, n.KeywordCall):
                out.append(ir.SKeyword(s.line, s.column, self._site(value), self._kw_args(value, out),
                                       s.target.name))
                return
            if (isinstance(s.target, n.Name) and isinstance(value, n.Call)
                    and value.name.lower() in self.program.procedures):
                self._call(value, out, want_value=False)
                out[-1].target = s.target.name
                return
            pure_value = self.expr(value, out)
            target = self._target(s.target, out)
            out.append(ir.SAssign(s.line, s.column, target, pure_value, copy=needs_copy(pure_value)))
        elif isinstance(s, n.Command):
            out.append(ir.SKeyword(s.line, s.column, self._site(s.call), self._kw_args(s.call, out)))
        elif isinstance(s, n.ExprStatement):
            e = s.expr
            if isinstance(e, n.Call):
                pure = self._call(e, out, want_value=False)
                if pure is not None:
                    out.append(ir.SEval(s.line, s.column, pure))
            else:
                out.append(ir.SEval(s.line, s.column, self.expr(e, out)))
        elif isinstance(s, n.If):
            out.extend(self._if(s, s.branches, s.else_body))
        elif isinstance(s, n.Select):
            self._select(s, out)
        elif isinstance(s, n.ForRange):
            self._for(s, out)
        elif isinstance(s, n.ForEach):
            self._each(s, out)
        elif isinstance(s, n.While):
            pre: list = []
            cond = self.expr(s.cond, pre)
            out.append(ir.SLoop(s.line, s.column, "while", "WHILE", self.body(s.body), pre, cond))
        elif isinstance(s, n.DoLoop):
            pre = []
            cond = self.expr(s.cond, pre) if s.cond is not None else None
            out.append(ir.SLoop(s.line, s.column, "while", "DO", self.body(s.body), pre, cond,
                                until=s.until, test_first=s.test_first))
        elif isinstance(s, n.Exit):
            out.append(ir.SExit(s.line, s.column, s.kind.upper()))
        elif isinstance(s, n.Return):
            value = self.expr(s.value, out) if s.value is not None else None
            out.append(ir.SReturn(s.line, s.column, value))
        elif isinstance(s, n.Label):
            out.append(ir.SLabel(s.line, s.column, s.name.lower()))
        elif isinstance(s, n.Goto):
            out.append(ir.SGoto(s.line, s.column, s.label.lower()))
        elif isinstance(s, n.OnError):
            out.append(ir.SOnError(s.line, s.column, s.mode, s.label.lower() if s.label else None))
        elif isinstance(s, n.With):
            target = self._target(s.target, out)
            out.append(ir.SEnsureMap(s.line, s.column, target))
            self._with.append(target)
            try:
                for field_name, value in s.fields:
                    pure = self.expr(value, out)
                    out.append(ir.SAssign(value.line, value.column,
                                          n.Member(s.line, s.column, target, field_name.lower()),
                                          pure, copy=needs_copy(pure)))
            finally:
                self._with.pop()
        elif isinstance(s, n.KeywordBlock):
            self._keyword_block(s, out)
        else:
            raise self.error(f"unsupported statement {type(s).__name__}", s)

    def _if(self, node: n.Node, branches: list, else_body: list | None) -> list:
        out: list = []
        cond = self.expr(branches[0][0], out)
        first = (cond, self.body(branches[0][1]))
        rest = branches[1:]
        if not rest:
            out.append(ir.SIf(node.line, node.column, [first], self.body(else_body) if else_body is not None
                              else None))
            return out
        if self.may_suspend(rest[0][0]):  # a later test may suspend: nest it under ELSE
            nested = self._if(rest[0][0], rest, else_body)
            out.append(ir.SIf(node.line, node.column, [first], nested))
            return out
        tail = self._if(rest[0][0], rest, else_body)
        inner = tail[-1]
        out.append(ir.SIf(node.line, node.column, [first, *inner.branches], inner.else_body))
        return out

    def _select(self, s: n.Select, out: list) -> None:
        subject = n.Name(s.line, s.column, self._hidden("s"))
        out.append(ir.SAssign(s.line, s.column, subject, self.expr(s.subject, out)))
        branches = []
        for case in s.cases:
            tests: list[n.Expr] = []
            for v in case.values:
                # Ordered cases never fail on values without an order: they just do not match.
                if isinstance(v, n.CaseRange):
                    tests.append(n.Binary(v.line, v.column, "AND",
                                          _case_compare(v, ">=", subject, v.low),
                                          _case_compare(v, "<=", subject, v.high)))
                elif isinstance(v, n.CaseIs):
                    op = {"==": "=", "!=": "<>"}.get(v.op, v.op)
                    tests.append(_case_compare(v, op, subject, v.value))
                else:
                    tests.append(n.Binary(v.line, v.column, "=", subject, v))
            cond = tests[0]
            for t in tests[1:]:
                cond = n.Binary(t.line, t.column, "OR", cond, t)
            branches.append((cond, case.body))
        if not branches:
            out.extend(self.body(s.else_body or []))
            return
        out.extend(self._if(s, branches, s.else_body))

    def _for(self, s: n.ForRange, out: list) -> None:
        var = s.var.lower()
        end_name, step_name = self._hidden("e"), self._hidden("p")
        start = self.expr(s.start, out)
        end = self.expr(s.end, out)
        step = self.expr(s.step, out) if s.step is not None else n.Literal(s.line, s.column, 1)
        num = "FORNUM"
        out.append(ir.SAssign(s.line, s.column, n.Name(s.line, s.column, end_name),
                              n.Call(s.line, s.column, num, [end, n.Literal(0, 0, "end")])))
        out.append(ir.SAssign(s.line, s.column, n.Name(s.line, s.column, step_name),
                              n.Call(s.line, s.column, "FORSTEP", [step])))
        out.append(ir.SAssign(s.line, s.column, n.Name(s.line, s.column, var),
                              n.Call(s.line, s.column, num, [start, n.Literal(0, 0, "start")])))
        out.append(ir.SLoop(s.line, s.column, "for", "FOR", self.body(s.body), var=var,
                            hidden=(end_name, step_name)))

    def _each(self, s: n.ForEach, out: list) -> None:
        items, pos = self._hidden("l"), self._hidden("i")
        iterable = self.expr(s.iterable, out)
        out.append(ir.SAssign(s.line, s.column, n.Name(s.line, s.column, items),
                              n.Call(s.line, s.column, "EACHLIST", [iterable])))
        zero = n.Literal(s.line, s.column, 0)
        out.append(ir.SAssign(s.line, s.column, n.Name(s.line, s.column, pos), zero))
        out.append(ir.SLoop(s.line, s.column, "each", "FOR", self.body(s.body), var=s.var.lower(),
                            hidden=(items, pos)))

    def _keyword_block(self, s: n.KeywordBlock, out: list) -> None:
        """A keyword owning statements: each body becomes a hidden procedure whose name the
        handler receives in ``args["#body"]`` (and ``args["#sections"]``: ``[[args, name]]``)."""
        call = s.call
        site = self._site(call)
        spec = self.sites[site].spec
        if spec.sections and s.body:
            raise self.error(
                f"this line is in {call.phrase} before its first {spec.sections[0]}, so it would run in "
                f"none; move it into a {spec.sections[0]} or above {call.phrase}",
                s.body[0],
            )
        args = self._kw_args(call, out)
        if not self.sites[site].spec.block_text:
            args["#body"] = self.sites[site].body = self._anonymous(s, s.body)
        sections = []
        for section_call, section_body in s.sections:
            section_args = self._kw_args(section_call, out)
            sections.append([section_call.phrase, section_args, self._anonymous(section_call, section_body)])
        if sections:
            args["#sections"] = sections
        out.append(ir.SKeyword(s.line, s.column, site, args))

    def _anonymous(self, node: n.Node, body: list[n.Stmt]) -> str:
        name = f"#block{len(self.extra_procedures) + 1}"
        self.extra_procedures[name] = n.Procedure(node.line, node.column, "SUB", name, [], body)
        return name


def _case_compare(node: n.Node, op: str, subject: n.Expr, value: n.Expr) -> n.Call:
    return n.Call(node.line, node.column, "CASECMP", [n.Literal(node.line, node.column, op), subject, value])


def needs_copy(e: n.Expr) -> bool:
    """Whether storing ``e`` must copy it so two variables never share one list or map."""
    if isinstance(e, n.Name):
        return not e.name.startswith("#")
    if isinstance(e, n.Call):
        return e.name not in INTERNAL_CALLS
    return isinstance(e, (n.Member, n.Index, n.MethodCall))
