"""Code generation: IR procedures to Python source for a resumable state machine.

Each procedure becomes a table of *block* functions ``def _bP_N(rt, v)``; a block runs and
returns the number of the next block (or a negative control code, see :mod:`basic.vm.codes`).
The VM's position is just (procedure, block number), so a run can stop between any two blocks
and continue from JSON. Between suspension points the code is plain structured Python:

* statements that cannot suspend (assignments, built-in calls, IFs and SELECTs over them) are
  emitted inline;
* a loop whose body cannot suspend and holds no other loop becomes one block (its *head*): a
  driver of :mod:`basic.compiler.loops` calling a generated function of the body per
  iteration, counting iterations against ``rt.budget``; when the budget runs out it returns its
  own head, with the loop's whole state already in variables, so resuming re-enters the loop
  exactly where it stopped. Preemption therefore happens only at block boundaries and loop
  iterations, which is what the property tests check.
* anything else (keywords, user calls, labels, loops containing those or other loops) is split
  into blocks joined by explicit jumps.

Blocks of the main body outside every loop run once per run, so they are not generated as
Python at all: :mod:`basic.compiler.closures` builds them as closures, which is far cheaper
than CPython's compile(). Generated Python (with inlined fast paths) is kept for hot code:
loop bodies, blocks inside loops, and SUB/FUNCTION bodies.

Variables are a dict keyed by lower-case BASIC names; generated code sees only the helpers of
:mod:`basic.vm.ops` and has no Python builtins. A table maps each generated line to the BASIC
position it came from, so Python exceptions become errors at ``FILE:LINE:COL``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from basic import nodes as n
from basic.builtins import BUILTINS
from basic.compiler import ir
from basic.compiler.closures import BINARY_HELPERS, ClosureBuilder, make_block
from basic.compiler.loops import BREAK, each_driver, for_driver, while_driver
from basic.errors import BasicSyntaxError

END = -1  # fell off the end of the procedure

_BINARY = BINARY_HELPERS
_INT_FAST = {"+": "+", "-": "-", "*": "*", "MOD": "%"}
# int op int is an int: a whole tree of these shares one guard. Values: binding power.
_FUSE = {"+": 1, "-": 1, "*": 2}
_ATOM = 3
_CMP_FAST = {"=": "==", "==": "==", "<>": "!=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_BOOLEAN_CALLS = {"CASECMP"}
_BOOLEAN_OPS = {"=", "==", "<>", "!=", "<", "<=", ">", ">=", "LIKE", "IN", "NOT IN", "AND", "OR"}
_INTERNAL = {"FORNUM": "fornum", "FORSTEP": "forstep", "EACHLIST": "eachlist", "CASECMP": "case_compare"}
_ERR_NAMES = {"err": "rt.err_number", "err_number": "rt.err_number", "err_description": "rt.err_description"}


# Statements that can never suspend (an IF of them cannot either, see ProcCodegen.is_native).
_NATIVE_STATEMENTS = frozenset(
    {ir.SAssign, ir.SEval, ir.SOnError, ir.SGoto, ir.SReturn, ir.SExit, ir.SEnsureMap}
)


def _literal_class(e: n.Expr) -> str | None:
    """The generated-code name of a number literal's class (a comparison fast-path guard)."""
    if isinstance(e, n.Literal):
        return {int: "int", float: "float"}.get(e.value.__class__)
    return None


@dataclass(slots=True)
class _Loop:
    exit_kind: str
    native: bool
    exit_block: int | None


@dataclass
class ProcCode:
    """What the generator produced for one procedure (before ``exec``)."""

    name: str
    function_names: dict[int, str] = field(default_factory=dict)
    closures: dict[int, object] = field(default_factory=dict)  # cold blocks, ready to run
    drivers: dict[int, tuple] = field(default_factory=dict)  # loop head -> (driver(body), body block)
    positions: dict[int, tuple[int, int]] = field(default_factory=dict)


class ScriptCodegen:
    """Accumulates the Python module for a whole script."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: list[str] = []
        self.line_positions: list[tuple[int, int]] = [(0, 0)]  # index = generated line number
        self.builtin_globals: dict[str, object] = {}

    def add_line(self, text: str, pos: tuple[int, int]) -> None:
        self.lines.append(text)
        self.line_positions.append(pos)

    def builtin_name(self, upper: str) -> str:
        key = "_B_" + "".join(c if c.isalnum() else "_" for c in upper)
        if key not in self.builtin_globals:
            self.builtin_globals[key] = BUILTINS[upper].func
        return key

    def source(self) -> str:
        return "\n".join(self.lines) + "\n"


class ProcCodegen:
    """Generates the blocks of one procedure."""

    def __init__(self, script: ScriptCodegen, index: int, name: str, body: list, *,
                 is_function: bool, cold: bool = False) -> None:
        self.script = script
        self.cold_allowed = cold  # blocks outside every loop may run as closures
        self.index = index
        self.name = name
        self.is_function = is_function
        self.labels: dict[str, int] = {}
        self.next_id = 0
        self.entry = self.new_block()  # block 0: where a call starts
        # One walk of the body finds its labels, whether it uses ON ERROR, and which IFs and
        # loops hold only statements that cannot suspend (see is_native and stmt).
        self.mixed_ifs: set[int] = set()  # id() of IFs with a statement that is not native
        self.native_loops: set[int] = set()  # id() of loops whose body is all native
        uses_on_error, _ = self._scan(body)
        self.safe = uses_on_error  # the procedure uses ON ERROR: every statement gets its own handler
        self.blocks: dict[int, list[tuple[int, str, tuple[int, int]]]] = {}
        self.cold: dict[int, list] = {}  # block -> closure steps (see basic.compiler.closures)
        self.drivers: dict[int, tuple] = {}  # native loop head -> (driver factory, body block)
        self.closures = ClosureBuilder(self)
        self.positions: dict[int, tuple[int, int]] = {}
        self.cur: int | None = None
        self.loops: list[_Loop] = []
        self.in_native_loop = False
        self.temp_counter = 0
        self.body = body

    # --- block plumbing --------------------------------------------------------------------

    def _scan(self, body: list) -> tuple[bool, bool]:
        """Number the labels (in source order) and note the IFs that are not native and the
        loops that are; returns whether ``body`` uses ON ERROR and whether it is all native."""
        on_error = False
        native = True
        for s in body:
            cls = s.__class__
            if cls in _NATIVE_STATEMENTS:
                if cls is ir.SOnError:
                    on_error = True
            elif cls is ir.SIf:
                inner = True
                for _, b in s.branches:
                    uses, all_native = self._scan(b)
                    on_error, inner = on_error or uses, inner and all_native
                if s.else_body:
                    uses, all_native = self._scan(s.else_body)
                    on_error, inner = on_error or uses, inner and all_native
                if not inner:  # an IF of native statements is native itself
                    self.mixed_ifs.add(id(s))
                    native = False
            else:
                native = False
                if cls is ir.SLabel:
                    if s.name in self.labels:
                        raise self.error(f"label {s.name} is defined twice", s)
                    self.labels[s.name] = self.new_block()
                elif cls is ir.SLoop:
                    uses_pre, _ = self._scan(s.pre)
                    uses_body, all_native = self._scan(s.body)
                    on_error = on_error or uses_pre or uses_body
                    if all_native:
                        self.native_loops.add(id(s))
        return on_error, native

    def error(self, message: str, node) -> BasicSyntaxError:
        return BasicSyntaxError(message, file=self.script.file, line=node.line, column=node.column)

    def new_block(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def start(self, block: int, pos: tuple[int, int], *, hot: bool = False) -> None:
        """Open ``block``: cold (closures) when it lies outside every loop of a procedure that
        allows it, unless ``hot`` (a loop head); else generated Python."""
        self.cur = block
        if self.cold_allowed and not hot and not self.loops:
            self.cold[block] = []
        else:
            self.blocks[block] = []
        self.positions[block] = pos

    @property
    def is_cold(self) -> bool:
        return self.cur in self.cold

    def emit(self, indent: int, text: str, pos: tuple[int, int]) -> None:
        if self.cur is None:  # code after an unconditional jump: unreachable, keep it compiled
            self.start(self.new_block(), pos, hot=True)
        self.blocks[self.cur].append((indent, text, pos))

    def step(self, step, pos: tuple[int, int]) -> None:
        """Add a closure step to the current (cold) block."""
        self.cold[self.cur].append((step, pos))

    def end_cold(self, step, pos: tuple[int, int]) -> None:
        """End the current cold block with a step that returns where to go."""
        self.step(step, pos)
        self.cur = None

    def jump(self, indent: int, target: str, pos: tuple[int, int]) -> None:
        """Emit ``return target`` (from a loop body, its driver passes it on)."""
        self.emit(indent, f"return {target}", pos)

    def end_block(self, target: int | str, pos: tuple[int, int]) -> None:
        if self.is_cold:
            self.end_cold(self.closures.jump(int(target)), pos)
            return
        self.emit(1, f"return {target}", pos)
        self.cur = None

    def generate(self) -> ProcCode:
        self.start(self.entry, (0, 0))
        self.stmts(self.body)
        if self.cur is not None:
            self.end_block(END, (0, 0))
        code = ProcCode(self.name, drivers=self.drivers)
        for head in self.drivers:
            code.positions[head] = self.positions[head]
        for block, steps in self.cold.items():
            pos = self.positions.get(block, (0, 0))
            if pos == (0, 0) and steps:
                pos = steps[0][1]
            code.positions[block] = pos
            code.closures[block] = make_block(steps, self.safe)
        for block, lines in sorted(self.blocks.items()):
            fname = f"_b{self.index}_{block}"
            code.function_names[block] = fname
            pos = self.positions.get(block, (0, 0))
            if pos == (0, 0) and lines:
                pos = lines[0][2]
            code.positions[block] = pos
            self.script.add_line(f"def {fname}(rt, v):", pos)
            if not lines:
                self.script.add_line(f"    return {END}", pos)
            for indent, text, line_pos in lines:
                self.script.add_line("    " * indent + text, line_pos)
        # The closure builder points back here: drop it, so that this generator and the IR it
        # holds are freed as soon as the caller lets go (not left to the cyclic collector).
        self.closures = None  # type: ignore[assignment]
        return code

    # --- expressions -----------------------------------------------------------------------

    def ex(self, e: n.Expr, bare: bool = False) -> str:
        """Python source of a pure expression. ``bare``: where it goes needs no parentheses
        around it (a call argument, the right of ``=``, an ``if`` test...), so none are added;
        else an operator, conditional or ``not`` comes grouped. Why: redundant parentheses
        make CPython's parser try other readings (a tuple, a generator...), and compile() of
        the generated source is much of a script's compile time."""
        if isinstance(e, n.Literal):
            return repr(e.value)
        if isinstance(e, n.Name):
            if e.name in _ERR_NAMES:
                return _ERR_NAMES[e.name]
            return f"v[{e.name!r}]"
        if isinstance(e, n.Member):
            if isinstance(e.obj, n.Name) and e.obj.name == "err" and e.name in ("number", "description"):
                return _ERR_NAMES["err_" + e.name]
            return f"mem({self.ex(e.obj, True)}, {e.name!r})"
        if isinstance(e, n.Index):
            return f"idx({self.ex(e.obj, True)}, {self.ex(e.index, True)})"
        if isinstance(e, n.Call):
            if e.name in _INTERNAL:
                return f"{_INTERNAL[e.name]}({', '.join(self.ex(a, True) for a in e.args)})"
            upper = e.name.upper()
            func = self.script.builtin_name(upper)
            args = ", ".join(self.ex(a, True) for a in e.args)
            if BUILTINS[upper].needs_context:
                args = f"rt, {args}" if args else "rt"
            return f"{func}({args})"
        if isinstance(e, n.MethodCall):
            return self.method(e)
        if isinstance(e, n.Unary):
            inner = self.ex(e.operand, True)
            if e.op == "-":
                return f"neg({inner})"
            if e.op == "+":
                return f"pos({inner})"
            if e.op == "NOT":
                return f"not {self.cond(e.operand)}" if bare else f"(not {self.cond(e.operand)})"
            if e.op == "BOOL":
                return self.cond(e.operand, bare)
            raise self.error(f"unknown operator {e.op}", e)
        if isinstance(e, n.Binary):
            op = e.op.upper()
            if op == "AND" or op == "OR":
                code = f"{self.cond(e.left)} {op.lower()} {self.cond(e.right)}"
                return code if bare else f"({code})"
            if op == "IN":
                return f"contains({self.ex(e.right, True)}, {self.ex(e.left, True)})"
            if op == "NOT IN":
                code = f"not contains({self.ex(e.right, True)}, {self.ex(e.left, True)})"
                return code if bare else f"({code})"
            if op not in _BINARY:
                raise self.error(f"unknown operator {e.op}", e)
            if op in _FUSE and (self.loops or self.name):
                fused = self.fused_arithmetic(e, bare)
                if fused is not None:
                    return fused
            if op in _CMP_FAST and (self.loops or self.name) and _literal_class(e.right) is not None:
                return self.compare_literal(op, self.ex(e.left, True), e.right, bare)
            return self.binary(op, self.ex(e.left, True), self.ex(e.right, True), bare)
        if isinstance(e, n.Interpolated):
            parts = [repr(p) if isinstance(p, str) else f"to_text({self.ex(p, True)})" for p in e.parts]
            return f"''.join(({', '.join(parts)},))" if parts else "''"
        if isinstance(e, n.ArrayLiteral):
            return "[" + ", ".join(self.stored(x) for x in e.items) + "]"
        if isinstance(e, n.MapLiteral):
            return "{" + ", ".join(f"{k!r}: {self.stored(x)}" for k, x in e.entries) + "}"
        raise self.error(f"cannot compile {type(e).__name__} here", e)

    def temps(self) -> tuple[str, str]:
        self.temp_counter += 2
        return f"_{self.temp_counter - 1}", f"_{self.temp_counter}"

    def binary(self, op: str, left: str, right: str, bare: bool = False) -> str:
        """An operator call, with an inline fast path for the common case of two integers
        (arithmetic) or two values of one plain type (comparison); everything else goes
        through :mod:`basic.values`, which defines the semantics. ``left`` and ``right`` may
        be bare (see :meth:`ex`): they only ever go where no grouping is needed."""
        func = _BINARY[op]
        if not (self.loops or self.name):
            # Straight-line code of the main body runs once: keep it small to compile fast.
            return f"{func}({left}, {right})"
        if op in _INT_FAST:
            a, b = self.temps()
            guard = f"({a} := {left}).__class__ is ({b} := {right}).__class__ is int"
            if op == "MOD":
                code = f"{a} % {b} if {guard} and {a} >= 0 < {b} else mod({a}, {b})"
            else:
                code = f"{a} {_INT_FAST[op]} {b} if {guard} else {func}({a}, {b})"
            return code if bare else f"({code})"
        if op in _CMP_FAST:
            a, b = self.temps()
            guard = f"({a} := {left}).__class__ is ({b} := {right}).__class__ in _PLAIN"
            code = f"{a} {_CMP_FAST[op]} {b} if {guard} else {func}({a}, {b})"
            return code if bare else f"({code})"
        return f"{func}({left}, {right})"

    def fused_arithmetic(self, e: n.Binary, bare: bool = False) -> str | None:
        """One fast path for a whole ``+ - *`` tree whose leaves are variables and integer
        literals (``total + i * x``): a single guard that every variable holds an int, then
        plain Python arithmetic; otherwise the same operator calls, in the same order, that
        the nested per-operator paths would make. Why: nesting a guard per operator roughly
        doubles the generated source, and CPython's compile() of it dominated compile time.
        The result is identical because reading a variable cannot fail or have effects, and
        int ``+ - *`` int is an int (so every nested fast path would have been taken too).
        None when the tree has another kind of leaf or no variable at all."""
        leaves: list[str] = []
        start = self.temp_counter
        parts = self._fused(e, leaves)
        if parts is None or not leaves:
            self.temp_counter = start
            return None
        code = f"{parts[0]} if {' is '.join(leaves)} is int else {parts[1]}"
        return code if bare else f"({code})"

    def _fused(self, x: n.Expr, leaves: list[str]) -> tuple[str, str, int] | None:
        """The fast and the general source of one node of a fused tree (see above), and the
        binding power of the fast one's outermost operator (parentheses go only where Python
        would read the operators otherwise)."""
        if isinstance(x, n.Literal):
            if x.value.__class__ is not int:
                return None
            text = repr(x.value)
            return (text if x.value >= 0 else f"({text})"), f"({text})", _ATOM
        if isinstance(x, n.Name):
            if x.name in _ERR_NAMES:
                return None
            self.temp_counter += 1
            temp = f"_{self.temp_counter}"
            leaves.append(f"({temp} := v[{x.name!r}]).__class__")
            # The guard ``(_1 := a).__class__ is (_2 := b).__class__ is ...`` stops at the first
            # mismatch, leaving the temps after the second unassigned: the general path reads
            # those variables again.
            return temp, (temp if len(leaves) <= 2 else f"v[{x.name!r}]"), _ATOM
        if isinstance(x, n.Binary) and x.op.upper() in _FUSE:
            op = x.op.upper()
            left, right = self._fused(x.left, leaves), self._fused(x.right, leaves)
            if left is None or right is None:
                return None
            power = _FUSE[op]
            # + - * group from the left: a right operand of the same power needs parentheses
            fast_left = left[0] if left[2] >= power else f"({left[0]})"
            fast_right = right[0] if right[2] > power else f"({right[0]})"
            return f"{fast_left} {op} {fast_right}", f"{_BINARY[op]}({left[1]}, {right[1]})", power
        return None

    def compare_literal(self, op: str, left: str, right: n.Literal, bare: bool = False) -> str:
        """A comparison with a number literal (``x > 10``): the plain-type guard of
        :meth:`binary` reduces to the left side's class, which keeps the source short."""
        a = self.temps()[0]
        value = repr(right.value)
        code = (f"{a} {_CMP_FAST[op]} {value} if ({a} := {left}).__class__ is {_literal_class(right)}"
                f" else {_BINARY[op]}({a}, {value})")
        return code if bare else f"({code})"

    def stored(self, e: n.Expr) -> str:
        """The expression as a value to store: copied when it could alias another variable."""
        from basic.compiler.lower import needs_copy

        code = self.ex(e, True)  # a stored value only goes where no grouping is needed
        return f"cp({code})" if needs_copy(e) else code

    def cond(self, e: n.Expr, bare: bool = False) -> str:
        """A Python truth value for a BASIC condition (``bare``: see :meth:`ex`)."""
        if isinstance(e, n.Binary) and e.op.upper() in _BOOLEAN_OPS:
            return self.ex(e, bare)
        if isinstance(e, n.Unary) and e.op in ("NOT", "BOOL"):
            return self.ex(e, bare)
        if isinstance(e, n.Literal) and isinstance(e.value, bool):
            return repr(e.value)
        if isinstance(e, n.Call) and e.name in _BOOLEAN_CALLS:
            return self.ex(e, bare)
        return f"truthy({self.ex(e, True)})"

    def path(self, t: n.Expr) -> tuple[str, str]:
        """``(base variable, steps tuple source)`` of an assignable target."""
        steps: list[str] = []
        while not isinstance(t, n.Name):
            if isinstance(t, n.Member):
                steps.append(f"('.', {t.name!r})")
                t = t.obj
            elif isinstance(t, n.Index):
                steps.append(f"('[', {self.ex(t.index, True)})")
                t = t.obj
            else:
                raise self.error("only a variable, a field or an element can be changed", t)
        steps.reverse()
        return t.name, "(" + "".join(s + ", " for s in steps) + ")"

    def method(self, e: n.MethodCall) -> str:
        args = "[" + ", ".join(self.stored(a) for a in e.args) + "]"
        if isinstance(e.obj, (n.Name, n.Member, n.Index)) and not (
            isinstance(e.obj, n.Name) and e.obj.name in _ERR_NAMES
        ):
            try:
                base, steps = self.path(e.obj)
            except BasicSyntaxError:
                base = None
            if base is not None:
                return f"method_ref(rt, v, {base!r}, {steps}, {e.name.upper()!r}, {args})"
        return f"method_value(rt, {self.ex(e.obj, True)}, {e.name.upper()!r}, {args})"

    # --- statements ------------------------------------------------------------------------

    def stmts(self, body: list) -> None:
        for s in body:
            self.stmt(s)

    def is_native(self, s) -> bool:
        """Whether ``s`` cannot suspend: a simple statement, or an IF of such (see _scan)."""
        cls = s.__class__
        return cls in _NATIVE_STATEMENTS or (cls is ir.SIf and id(s) not in self.mixed_ifs)

    def stmt(self, s) -> None:
        pos = (s.line, s.column)
        if self.cur is None:  # code after an unconditional jump: unreachable, keep it compiled
            self.start(self.new_block(), pos)
        if self.is_native(s):
            if self.is_cold:
                self.step(self.closures.native(s), pos)
            else:
                self.native(s, 1)
        elif isinstance(s, ir.SIf):
            self.lowered_if(s)
        elif isinstance(s, ir.SLoop):
            if not s.pre and id(s) in self.native_loops:
                self.native_loop(s)
            else:
                self.lowered_loop(s)
        elif isinstance(s, ir.SKeyword):
            nxt = self.new_block()
            if self.is_cold:
                self.end_cold(self.closures.keyword(s, nxt), pos)
            else:
                args = self.kw_args(s.args)
                self.guarded_call(f"rt.kw({s.site}, {args}, {nxt}, {s.target!r})", nxt, pos)
            self.start(nxt, pos)
        elif isinstance(s, ir.SCall) and self.is_cold:
            nxt = self.new_block()
            self.end_cold(self.closures.user_call(s, nxt), pos)
            self.start(nxt, pos)
        elif isinstance(s, ir.SCall):
            nxt = self.new_block()
            args = "[" + ", ".join(self.stored(a) for a in s.args) + "]"
            call = f"rt.call({s.name!r}, {args}, {nxt}, {s.target!r}, {s.external!r}, {s.line}, {s.column})"
            self.guarded_call(call, nxt, pos)
            self.start(nxt, pos)
        elif isinstance(s, ir.SLabel):
            block = self.labels[s.name]
            if self.cur is not None:
                self.end_block(block, pos)
            self.start(block, pos)
        else:
            raise self.error(f"cannot compile {type(s).__name__}", s)

    def guarded_call(self, call: str, nxt: int, pos: tuple[int, int]) -> None:
        if self.safe:
            self.emit(1, "try:", pos)
            self.emit(2, f"_a = {call}", pos)
            self.emit(1, "except Exception as _e:", pos)
            self.emit(2, f"rt.handle(_e, {pos[0]}, {pos[1]})", pos)
            self.emit(2, f"return {nxt}", pos)
            self.end_block("_a", pos)
        else:
            self.end_block(call, pos)

    def kw_args(self, args: dict) -> str:
        parts = []
        for key, value in args.items():
            if isinstance(value, list):
                items = ", ".join(self.kw_value(x) for x in value)
                parts.append(f"{key!r}: [{items}]")
            else:
                parts.append(f"{key!r}: {self.kw_value(value)}")
        return "{" + ", ".join(parts) + "}"

    def kw_value(self, value) -> str:
        if isinstance(value, n.Node):
            return self.stored(value)
        if isinstance(value, list):
            return "[" + ", ".join(self.kw_value(x) for x in value) + "]"
        if isinstance(value, dict):
            return self.kw_args(value)
        return repr(value)

    def cond_code(self, e: n.Expr, indent: int, pos: tuple[int, int], bare: bool = False) -> str:
        """Condition source; in safe procedures an error in it is handled and counts as false.
        ``bare``: it goes right after ``if`` (see :meth:`ex`)."""
        if not self.safe:
            return self.cond(e, bare)
        self.emit(indent, "try:", pos)
        self.emit(indent + 1, f"_c = {self.cond(e, True)}", pos)
        self.emit(indent, "except Exception as _e:", pos)
        self.emit(indent + 1, f"rt.handle(_e, {pos[0]}, {pos[1]})", pos)
        self.emit(indent + 1, "_c = False", pos)
        return "_c"

    def native(self, s, indent: int) -> None:
        """Emit a statement that cannot suspend as inline Python."""
        pos = (s.line, s.column)
        if isinstance(s, ir.SIf):
            self.native_if(s.branches, s.else_body, indent, pos)
            return
        if isinstance(s, ir.SGoto):
            if s.label not in self.labels:
                raise self.error(f"GOTO {s.label}: there is no label {s.label}: in this procedure", s)
            self.jump(indent, str(self.labels[s.label]), pos)
            return
        if isinstance(s, ir.SExit):
            self.native_exit(s, indent, pos)
            return
        if isinstance(s, ir.SReturn):
            value = self.stored(s.value) if s.value is not None else "None"
            if self.safe:
                self.emit(indent, "try:", pos)
                self.emit(indent + 1, f"_r = {value}", pos)
                self.emit(indent, "except Exception as _e:", pos)
                self.emit(indent + 1, f"rt.handle(_e, {pos[0]}, {pos[1]})", pos)
                self.emit(indent + 1, "_r = None", pos)
                value = "_r"
            self.jump(indent, f"rt.ret({value})", pos)
            return
        if isinstance(s, ir.SOnError):
            if s.mode == "goto":
                if s.label not in self.labels:
                    raise self.error(f"ON ERROR GOTO {s.label}: there is no label {s.label}: here", s)
                self.emit(indent, f"rt.on_error({self.labels[s.label]})", pos)
            else:
                self.emit(indent, f"rt.on_error({s.mode!r})", pos)
            return
        code = self.simple(s)
        if self.safe:
            self.emit(indent, "try:", pos)
            self.emit(indent + 1, code, pos)
            self.emit(indent, "except Exception as _e:", pos)
            self.emit(indent + 1, f"rt.handle(_e, {pos[0]}, {pos[1]})", pos)
        else:
            self.emit(indent, code, pos)

    def simple(self, s) -> str:
        if isinstance(s, ir.SAssign):
            value = f"cp({self.ex(s.value, True)})" if s.copy else self.ex(s.value, True)
            if isinstance(s.target, n.Name):
                if s.target.name in _ERR_NAMES:
                    raise self.error(f"{s.target.name.upper()} is read-only: it holds the last error", s)
                return f"v[{s.target.name!r}] = {value}"
            base, steps = self.path(s.target)
            return f"set_path(v, {base!r}, {steps}, {value})"
        if isinstance(s, ir.SEval):
            return self.ex(s.expr, True)
        if isinstance(s, ir.SEnsureMap):
            base, steps = self.path(s.target)
            return f"ensure_map(v, {base!r}, {steps})"
        raise self.error(f"cannot compile {type(s).__name__}", s)

    def native_if(self, branches: list, else_body: list | None, indent: int, pos: tuple[int, int]) -> None:
        cond, body = branches[0]
        self.emit(indent, f"if {self.cond_code(cond, indent, pos, True)}:", pos)
        self.native_body(body, indent + 1, pos)
        rest = branches[1:]
        if rest and not self.safe:
            for cond, body in rest:
                self.emit(indent, f"elif {self.cond(cond, True)}:", pos)
                self.native_body(body, indent + 1, pos)
            rest = []
        if rest:
            self.emit(indent, "else:", pos)
            self.native_if(rest, else_body, indent + 1, pos)
        elif else_body:
            self.emit(indent, "else:", pos)
            self.native_body(else_body, indent + 1, pos)

    def native_body(self, body: list, indent: int, pos: tuple[int, int]) -> None:
        if not body:
            self.emit(indent, "pass", pos)
        for s in body:
            self.native(s, indent)

    def _exit_target(self, s: ir.SExit) -> _Loop | None:
        kinds = {"FOR": ("FOR",), "DO": ("DO", "WHILE"), "WHILE": ("WHILE", "DO")}.get(s.kind)
        if kinds is None:
            return None
        for loop in reversed(self.loops):
            if loop.exit_kind in kinds:
                return loop
        raise self.error(f"EXIT {s.kind} is not inside a {s.kind} loop", s)

    def native_exit(self, s: ir.SExit, indent: int, pos: tuple[int, int]) -> None:
        if s.kind in ("SUB", "FUNCTION"):
            self.jump(indent, str(END), pos)
            return
        loop = self._exit_target(s)
        if loop is None:
            raise self.error(f"EXIT {s.kind}: expected EXIT FOR, DO, WHILE, SUB or FUNCTION", s)
        if loop.native and self.loops and self.loops[-1] is loop:
            self.emit(indent, f"return {BREAK}", pos)
        else:
            self.jump(indent, str(loop.exit_block), pos)

    # --- loops ------------------------------------------------------------------------------

    def loop_test(self, s: ir.SLoop, indent: int, pos: tuple[int, int]) -> str | None:
        """Python source that is true when the loop must stop (before its body), or None."""
        if s.kind == "for":
            end, step = s.hidden
            return f"for_done(v[{s.var!r}], v[{end!r}], v[{step!r}])"
        if s.kind == "each":
            items, index = s.hidden
            return f"v[{index!r}] >= len(v[{items!r}])"
        if s.cond is None:
            return None
        code = self.cond_code(s.cond, indent, pos, s.until)  # the test goes right after "if"
        return code if s.until else f"not {code}"

    def loop_advance(self, s: ir.SLoop, indent: int, pos: tuple[int, int]) -> None:
        if s.kind == "for":
            step = s.hidden[1]
            self.emit(indent, f"v[{s.var!r}] = add(v[{s.var!r}], v[{step!r}])", pos)

    def loop_fetch(self, s: ir.SLoop, indent: int, pos: tuple[int, int]) -> None:
        if s.kind == "each":
            items, index = s.hidden
            self.emit(indent, f"v[{s.var!r}] = cp(v[{items!r}][v[{index!r}]])", pos)
            self.emit(indent, f"v[{index!r}] += 1", pos)

    def loop_cleanup(self, s: ir.SLoop, indent: int, pos: tuple[int, int]) -> None:
        if self.is_cold:
            if any(s.hidden):
                self.step(self.closures.forget(s.hidden), pos)
            return
        for hidden in s.hidden:
            if hidden:
                self.emit(indent, f"v.pop({hidden!r}, None)", pos)

    def native_loop(self, s: ir.SLoop) -> None:
        """A loop that cannot suspend: one block run by a driver of :mod:`basic.compiler.loops`,
        around a generated function of the body (with the WHILE/UNTIL test in it)."""
        pos = (s.line, s.column)
        head, body, after = self.new_block(), self.new_block(), self.new_block()
        if self.cur is not None:
            self.end_block(head, pos)
        if s.kind == "for":
            driver = partial(for_driver, head=head, after=after, var=s.var, end_name=s.hidden[0],
                             step_name=s.hidden[1])
        elif s.kind == "each":
            driver = partial(each_driver, head=head, after=after, var=s.var, items_name=s.hidden[0],
                             index_name=s.hidden[1])
        else:
            driver = partial(while_driver, head=head, after=after)
        self.drivers[head] = (driver, body)
        self.positions[head] = pos
        self.start(body, pos, hot=True)
        self.loops.append(_Loop(s.exit_kind, True, None))
        self.in_native_loop = True
        try:
            test = self.loop_test(s, 1, pos) if s.kind == "while" else None
            if s.test_first and test is not None:
                self.emit(1, f"if {test}:", pos)
                self.emit(2, f"return {BREAK}", pos)
            for x in s.body:
                self.native(x, 1)
            if not s.test_first and test is not None:
                self.emit(1, f"if {test}:", pos)
                self.emit(2, f"return {BREAK}", pos)
            if not self.blocks[body]:
                self.emit(1, "pass", pos)
        finally:
            self.loops.pop()
            self.in_native_loop = False
        self.cur = None
        self.start(after, pos)
        self.loop_cleanup(s, 1, pos)

    def lowered_loop(self, s: ir.SLoop) -> None:
        pos = (s.line, s.column)
        head, exit_block = self.new_block(), self.new_block()
        if self.cur is not None:
            self.end_block(head, pos)
        self.start(head, pos, hot=True)
        self.loops.append(_Loop(s.exit_kind, False, exit_block))
        try:
            if s.test_first:
                self.stmts(s.pre)
                test = self.loop_test(s, 1, pos)
                if test is not None:
                    self.emit(1, f"if {test}:", pos)
                    self.emit(2, f"return {exit_block}", pos)
                self.loop_fetch(s, 1, pos)
                self.stmts(s.body)
                self.loop_advance(s, 1, pos)
                if self.cur is not None:
                    self.end_block(head, pos)
            else:
                self.stmts(s.body)
                self.stmts(s.pre)
                test = self.loop_test(s, 1, pos)
                if test is not None:
                    self.emit(1, f"if {test}:", pos)
                    self.emit(2, f"return {exit_block}", pos)
                if self.cur is not None:
                    self.end_block(head, pos)
        finally:
            self.loops.pop()
        self.start(exit_block, pos)
        self.loop_cleanup(s, 1, pos)

    def lowered_if(self, s: ir.SIf) -> None:
        pos = (s.line, s.column)
        after = self.new_block()
        for cond, body in s.branches:
            then, otherwise = self.new_block(), self.new_block()
            if self.is_cold:
                self.end_cold(self.closures.branch(cond, then, otherwise, pos), pos)
            else:
                code = self.cond_code(cond, 1, pos, True)
                self.emit(1, f"if {code}:", pos)
                self.emit(2, f"return {then}", pos)
                self.end_block(otherwise, pos)
            self.start(then, pos)
            self.stmts(body)
            if self.cur is not None:
                self.end_block(after, pos)
            self.start(otherwise, pos)
        if s.else_body:
            self.stmts(s.else_body)
        if self.cur is not None:
            self.end_block(after, pos)
        self.start(after, pos)
