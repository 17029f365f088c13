"""Loss functions typed by users: parsed against an allow-list, never run as Python.

The grammar: decimal numbers, the variables, `pi`, `e`, `+ - * / **` (`^` also means power),
unary minus and plus, parentheses and one-argument calls of the functions in `FUNCTIONS`.
The text is checked character by character, parsed by `ast.parse(mode="eval")`, its tree
checked node by node against the grammar and the size limits, and only then turned into a
sympy expression, node by node, with every number it produces kept bounded. The text never
reaches `sympify`, `eval` or `exec`.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import operator
import re
import unicodedata
import warnings
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

import numpy as np
import sympy as sp

from losses.base import _LARGEST_POWER_AS_PRODUCT, Loss, find_minima_1d, minima_at

MAX_LENGTH = 500  # characters
MAX_NODES = 60  # numbers, names, operations and calls
MAX_DEPTH = 20  # levels of nesting: calls, powers, signs, parentheses (a chain like a+b-c is one level)
MAX_SIZE = 400  # size of the numpy code of f and its gradient, estimated (see _code_size)
MAX_DIGITS = 20  # digits in one number
MAX_EXPONENT = 100  # largest |exponent| of a power whose exponent is a number
MAX_MAGNITUDE = 10**100  # largest number, and numerator or denominator of a fraction
DEFAULT_DOMAIN = (-3.0, 3.0)


class ExpressionError(ValueError):
    """A typed expression that cannot be used; the message says what to change.

    `column` (1-based, in the text as typed) says where, when the problem has a place.
    """

    def __init__(self, reason: str, column: int | None = None):
        super().__init__(reason if column is None else f"{reason} (column {column})")
        self.reason = reason
        self.column = column


class _Refused(Exception):
    """A problem found in the normalised text: (reason, index into that text or None)."""


def _torch_function(name: str):
    """How "Copy as PyTorch" prints one of the functions defined here (sympy's printer knows only its own)."""

    def print_in_torch(self, printer):
        return f"torch.{name}({printer._print(self.args[0])})"

    return print_in_torch


class RealAbs(sp.Function):
    """|u| for an argument sympy cannot prove real, such as log(x).

    Only real points are ever evaluated, so d|u| = sign(u)·du; sympy's Abs would differentiate
    it as a complex modulus, an expression that is 0/0 where u = 0, the very bottom of the kink.
    """

    @classmethod
    def eval(cls, argument):
        if argument.is_extended_real:
            return sp.Abs(argument)
        return None

    def fdiff(self, argindex=1):
        return sp.sign(self.args[0])

    _torchcode = _torch_function("abs")

    def _numpycode(self, printer):
        return f"{printer._module_format('numpy.abs')}({printer._print(self.args[0])})"

    def _latex(self, printer, exp=None):
        latex = rf"\left|{{{printer._print(self.args[0])}}}\right|"
        return latex if exp is None else f"{latex}^{{{exp}}}"


def _true_if_argument_real(self):
    return True if self.args[0].is_real else None


# sympy's hyperbolic functions answer "is it real?" for an argument it cannot prove real by
# reducing its imaginary part modulo π, a polynomial gcd that can take minutes. The app only
# evaluates real points, so these subclasses answer from the argument alone.
class sinh(sp.sinh):
    _eval_is_real = _true_if_argument_real
    _torchcode = _torch_function("sinh")

    def fdiff(self, argindex=1):
        return cosh(self.args[0])


class cosh(sp.cosh):
    _eval_is_real = _eval_is_positive = _eval_is_nonnegative = _true_if_argument_real
    _torchcode = _torch_function("cosh")

    def fdiff(self, argindex=1):
        return sinh(self.args[0])


class tanh(sp.tanh):
    _eval_is_real = _eval_is_finite = _true_if_argument_real
    _torchcode = _torch_function("tanh")

    def fdiff(self, argindex=1):
        return 1 - tanh(self.args[0]) ** 2


FUNCTIONS = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "sinh": sinh,
    "cosh": cosh,
    "tanh": tanh,
    "asin": sp.asin,
    "arcsin": sp.asin,
    "acos": sp.acos,
    "arccos": sp.acos,
    "atan": sp.atan,
    "arctan": sp.atan,
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "log10": lambda u: sp.log(u, 10),
    "log2": lambda u: sp.log(u, 2),
    "sqrt": sp.sqrt,
    "abs": RealAbs,
}
CONSTANTS = {"pi": sp.pi, "e": sp.E}

_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_OPERATOR_SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitXor: "^", ast.BitOr: "|"}
_REFUSED = {
    ast.Attribute: "attribute access with '.'",
    ast.Subscript: "indexing with [ ]",
    ast.Tuple: "a list of values separated by commas",
    ast.IfExp: "'if … else'",
    ast.BoolOp: "'and' / 'or'",
    ast.Compare: "comparison",
    ast.Lambda: "'lambda'",
    ast.GeneratorExp: "'for' inside an expression",
    ast.NamedExpr: "assignment",
    ast.Starred: "'*' before a value",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield'",
}
_SPECIAL_CHARACTERS = {"[": "use ( ) for grouping", "]": "use ( ) for grouping", "{": "use ( )", "}": "use ( )"}
_ALLOWED_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-*/^().,_ \t\n\r\f\v")
_LOOKALIKES = {"−": "-", "×": "*", "·": "*", "÷": "/", "²": "^2", "³": "^3", "π": "pi"}
_DECIMAL = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_UNEXPECTED = "syntax error: unexpected "
_TOKEN = re.compile(r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)|(?P<other>\S)")


def parse(text: str, variables: Sequence[str] = ("x",), domain=None) -> Loss:
    """The loss `text` defines over `variables`, or ExpressionError saying what to fix.

    `domain` is one (low, high) pair per variable, by default (-3, 3) for each. Results are
    cached per normalised text, variables and domain.
    """
    variables = _checked_variables(variables)
    domain = _checked_domain(domain, len(variables))
    _check_size(text)
    _check_hidden_names(text)
    _check_characters(text)
    normalised, origins = _normalise(text)
    try:
        return _compiled(normalised, variables, domain)
    except _Refused as refusal:
        reason, index = refusal.args
        if index is None:
            raise ExpressionError(reason) from None
        if reason.startswith(_UNEXPECTED):  # quote what was typed: the parser read ^ as **
            reason = f"{_UNEXPECTED}'{_TOKEN.match(text, origins[index]).group()}'"
        raise ExpressionError(reason, origins[index] + 1) from None


def _check_hidden_names(text: str) -> None:
    """Refuse a name that begins with _ (Python's own, as in __import__) before anything else: of all that is
    wrong with such an expression, that is what to say."""
    for token in _TOKEN.finditer(text):
        if (token.group("name") or "").startswith("_"):
            raise ExpressionError(
                f"'{_excerpt(token.group())}' is not allowed: names are the variables, constants and functions",
                token.start() + 1,
            )


def _checked_variables(variables: Sequence[str]) -> tuple[str, ...]:
    variables = tuple(variables)
    for name in variables:
        if not (isinstance(name, str) and name.isascii() and name.isidentifier()) or keyword.iskeyword(name):
            raise ValueError(f"a variable must be an ASCII identifier, not {name!r}")
        if name in FUNCTIONS or name in CONSTANTS:
            raise ValueError(f"{name!r} names a function or constant and cannot be a variable")
    if not variables or len(set(variables)) != len(variables):
        raise ValueError(f"variables must be one or more distinct names, not {variables!r}")
    return variables


def _checked_domain(domain, dim: int) -> tuple[tuple[float, float], ...]:
    if domain is None:
        return (DEFAULT_DOMAIN,) * dim
    domain = tuple((float(low), float(high)) for low, high in domain)
    if len(domain) != dim or not all(math.isfinite(low) and math.isfinite(high) and low < high for low, high in domain):
        raise ValueError(f"domain must be {dim} finite (low, high) pairs with low < high, not {domain!r}")
    return domain


def _check_size(text: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is too long: {len(text)} characters, at most {MAX_LENGTH}")
    if not text.strip():
        raise ExpressionError("the expression is empty: type a function of x, such as x**2")


def _check_characters(text: str) -> None:
    for index, character in enumerate(text):
        if character in _ALLOWED_CHARACTERS:
            continue
        if not character.isascii():
            ascii_form = _LOOKALIKES.get(character) or unicodedata.normalize("NFKC", character)
            hint = f": write {ascii_form}" if ascii_form.isascii() and ascii_form.isprintable() else ""
            raise ExpressionError(f"only ASCII characters are allowed, not {character!r}{hint}", index + 1)
        if not character.isprintable():
            raise ExpressionError(f"control character {character!r} is not allowed", index + 1)
        hint = _SPECIAL_CHARACTERS.get(character, "use numbers, variables, + - * / ^ ( ) and functions like sin(x)")
        raise ExpressionError(f"'{character}' is not allowed: {hint}", index + 1)


def _normalise(text: str) -> tuple[str, list[int]]:
    """`text` trimmed, with each run of whitespace one space and `^` spelled `**`; and for each
    character of the result (and its end) the index of the character of `text` it came from."""
    characters, origins = [], []
    for index, character in enumerate(text):
        if character.isspace():
            if characters and characters[-1] != " ":
                characters.append(" ")
                origins.append(index)
            continue
        for produced in "**" if character == "^" else character:
            characters.append(produced)
            origins.append(index)
    if characters[-1] == " ":
        characters.pop()
        origins.pop()
    return "".join(characters), [*origins, len(text.rstrip())]


# Formulas come from URLs and the sidebar, so the cache is bounded.
CACHE_SIZE = 256


@lru_cache(maxsize=CACHE_SIZE)
def _compiled(text: str, variables: tuple[str, ...], domain: tuple[tuple[float, float], ...]) -> Loss:
    reader = _Reader(text, variables)
    expression = reader.build(reader.checked_tree())
    # numpy turns a Python int beyond int64 into an object array, which sin, log, … refuse.
    expression = expression.xreplace({n: sp.Float(n) for n in expression.atoms(sp.Integer) if abs(n) >= 2**63})
    loss = Loss(
        id="custom",
        name=text,
        expression=expression,
        variables=tuple(reader.symbols.values()),
        domain=domain,
        description="A custom function, typed in by the user.",
    )
    for part in loss.gradient_expressions:
        problem = _problem(part)
        if problem is not None:
            raise _Refused(f"its derivative {problem}", None)
    sizes = {}
    size = sum(_code_size(part, sizes) for part in (loss.expression, *loss.gradient_expressions))
    if size > MAX_SIZE:
        raise _Refused("the expression is too complex: its derivative is too large to compile quickly", None)
    if loss.dim > 1:
        return loss
    with np.errstate(all="ignore"):
        found = [minimum.x for minimum in find_minima_1d(loss) if _is_defined_around(loss, minimum.x[0])]
    # Set on this instance, not a replaced copy, which would differentiate and compile everything again.
    object.__setattr__(loss, "minima", minima_at(loss, found))
    return loss


def _is_defined_around(loss: Loss, x: float) -> bool:
    """Whether f is finite at x and just either side: f′ jumping from − to + at the edge of f's
    domain (log(x) at 0) looks like a minimum to the slope test of find_minima_1d."""
    (low, high) = loss.domain[0]
    step = (high - low) * 1e-4
    return bool(np.isfinite(loss.f(np.array([[x - step], [x], [x + step]]))).all())


class _Reader:
    """Checks the syntax tree of `text` against the grammar, then builds its sympy expression."""

    def __init__(self, text: str, variables: tuple[str, ...]):
        self.text = text
        self.symbols = {name: sp.Symbol(name, real=True) for name in variables}

    def checked_tree(self) -> ast.expr:
        """The tree of the text, every node allowed and within the size limits; no sympy work yet."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)  # "'int' object is not callable" for 2(x+1)
                root = ast.parse(self.text, mode="eval").body
        except SyntaxError as error:
            raise self._syntax_refusal(error) from None
        count, stack = 0, [(root, 1)]
        while stack:
            node, depth = stack.pop()
            count += 1
            if count > MAX_NODES:
                raise _Refused(f"the expression is too big: at most {MAX_NODES} numbers, names and operations", None)
            if depth > MAX_DEPTH:
                raise _Refused(f"the expression is nested too deeply (at most {MAX_DEPTH} levels)", node.col_offset)
            children = self._checked_children(node)
            stack.extend((child, depth + (not _same_chain(node, child))) for child in reversed(children))
        return root

    def _checked_children(self, node: ast.AST) -> list[ast.expr]:
        match node:
            case ast.BinOp(op=op) if type(op) in _ARITHMETIC or isinstance(op, ast.Pow):
                return [node.left, node.right]
            case ast.BinOp(op=op):
                symbol = _OPERATOR_SYMBOLS.get(type(op), type(op).__name__)
                raise _Refused(f"the operator '{symbol}' is not allowed: use + - * / ** or ^", node.left.end_col_offset)
            case ast.UnaryOp(op=ast.USub() | ast.UAdd()):
                return [node.operand]
            case ast.UnaryOp(op=ast.Not()):
                raise _Refused("'not' is not allowed", node.col_offset)
            case ast.Constant():
                self._check_number(node)
                return []
            case ast.Name(id=name) if name in self.symbols or name in CONSTANTS:
                return []
            case ast.Name(id=name) if name in FUNCTIONS:
                raise _Refused(f"'{name}' is a function: write {name}({self._example})", node.col_offset)
            case ast.Name(id=name):
                raise _Refused(self._unknown_name(name), node.col_offset)
            case ast.Call():
                return self._checked_call(node)
        what = _REFUSED.get(type(node), type(node).__name__)
        raise _Refused(f"{what} is not allowed", getattr(node, "col_offset", None))

    def _check_number(self, node: ast.Constant) -> None:
        value, literal = node.value, self._source(node)
        if isinstance(value, bool) or value is None:
            raise _Refused(f"{value} is not a number", node.col_offset)
        if isinstance(value, complex):
            raise _Refused("imaginary numbers are not allowed", node.col_offset)
        if not isinstance(value, int | float):
            raise _Refused(f"{_excerpt(literal)} is not allowed: write numbers like 12, 0.5 or 1e-3", node.col_offset)
        digits = _DECIMAL.fullmatch(literal)
        if digits is None:
            raise _Refused(f"write '{_excerpt(literal)}' in decimal, like 12, 0.5 or 1e-3", node.col_offset)
        if sum(c.isdigit() for c in digits.group(1)) > MAX_DIGITS:
            raise _Refused(f"'{_excerpt(literal)}' has too many digits (at most {MAX_DIGITS})", node.col_offset)
        if not abs(value) <= MAX_MAGNITUDE:
            raise _Refused(f"'{_excerpt(literal)}' is too large: numbers must stay below 1e100", node.col_offset)

    def _checked_call(self, node: ast.Call) -> list[ast.expr]:
        function = node.func
        if isinstance(function, ast.Name) and function.id in FUNCTIONS:
            name = function.id
            if node.keywords:
                raise _Refused(f"{name} takes no named arguments: write {name}({self._example})", node.col_offset)
            if len(node.args) != 1:
                raise _Refused(f"{name} takes one argument: write {name}({self._example})", node.col_offset)
            return node.args
        if isinstance(function, ast.Name) and function.id not in self.symbols and function.id not in CONSTANTS:
            raise _Refused(self._unknown_name(function.id, called=True), function.col_offset)
        if isinstance(function, ast.Name | ast.BinOp | ast.UnaryOp | ast.Call) or (
            isinstance(function, ast.Constant) and type(function.value) in (int, float)
        ):
            opening = self.text.index("(", function.end_col_offset)
            left, right = self.text[node.col_offset : opening].rstrip(), self.text[opening : node.end_col_offset]
            raise _Refused(f"implicit multiplication: write {left}*{right}", opening)
        return [function]  # anything else, such as attribute access, is refused as itself

    @property
    def _example(self) -> str:
        return next(iter(self.symbols))

    def _unknown_name(self, name: str, called: bool = False) -> str:
        suggestion = self._suggestion(name, called)
        kind = "function" if called else "name"
        if suggestion is not None:
            return f"unknown {kind} '{name}' — did you mean {suggestion}?"
        if called:
            return f"unknown function '{name}': the functions are {', '.join(FUNCTIONS)}"
        known = ", ".join([*self.symbols, *CONSTANTS])
        return f"unknown name '{name}': use {known} and functions such as sin({self._example})"

    def _suggestion(self, name: str, called: bool) -> str | None:
        known = (*self.symbols, *CONSTANTS)
        if not called and len(name) <= 12:  # sinx → sin(x), xy → x*y
            for function in sorted(FUNCTIONS, key=len, reverse=True):
                if name.startswith(function) and name[len(function) :] in known:
                    return f"{function}({name[len(function) :]})"
            parts = _split(name, known)
            if parts is not None and len(parts) > 1:
                return "*".join(parts)
        candidates = [*FUNCTIONS] if called else [*known, *FUNCTIONS]
        close = [c for c in candidates if c.lower() == name.lower()] or difflib.get_close_matches(name, candidates, n=1)
        if not close:
            return None
        return f"{close[0]}({self._example})" if close[0] in FUNCTIONS and not called else close[0]

    def _syntax_refusal(self, error: SyntaxError) -> _Refused:
        juxtaposed = _juxtaposition(self.text, self._example)
        if juxtaposed is not None:
            return juxtaposed
        offset = error.offset or 0
        token = _TOKEN.search(self.text, offset - 1) if 1 <= offset <= len(self.text) else None
        if token is None:
            return _Refused("syntax error: the expression is incomplete", len(self.text))
        reason = error.msg.split(". ")[0]  # drop Python's advice, such as "Perhaps you forgot a comma?"
        if reason == "invalid syntax":
            return _Refused(f"{_UNEXPECTED}'{token.group()}'", token.start())
        return _Refused(f"syntax error: {reason}", token.start())

    def build(self, node: ast.expr) -> sp.Expr:
        """The sympy expression of a checked node; each result is checked to be real and bounded."""
        match node:
            case ast.Constant(value=int(value)):
                expression = sp.Integer(value)
            case ast.Constant(value=value):
                expression = sp.Float(value)
            case ast.Name(id=name):
                expression = self.symbols[name] if name in self.symbols else CONSTANTS[name]
            case ast.UnaryOp(op=ast.USub()):
                expression = -self.build(node.operand)
            case ast.UnaryOp():
                expression = self.build(node.operand)
            case ast.Call(func=ast.Name(id=name), args=[argument]):
                expression = FUNCTIONS[name](self.build(argument))
            case ast.BinOp(op=ast.Pow()):
                expression = self._power(node)
            case ast.BinOp(op=op):
                expression = _ARITHMETIC[type(op)](self.build(node.left), self.build(node.right))
        self._check_result(expression, node)
        return expression

    def _power(self, node: ast.BinOp) -> sp.Expr:
        base, exponent = self.build(node.left), self.build(node.right)
        source, index = self._source(node), node.right.col_offset
        if exponent.is_number and abs(float(exponent)) > MAX_EXPONENT:
            raise _Refused(f"the exponent in '{_excerpt(source)}' is too large: at most {MAX_EXPONENT}", index)
        if base.is_number and not exponent.is_number and not base.is_positive:
            raise _Refused(
                f"in '{_excerpt(source)}' the base must be positive, as the exponent varies", node.col_offset
            )
        return base**exponent

    def _check_result(self, expression: sp.Expr, node: ast.expr) -> None:
        problem = _problem(expression)
        if problem is not None:
            raise _Refused(f"'{_excerpt(self._source(node))}' {problem}", node.col_offset)

    def _source(self, node: ast.expr) -> str:
        return self.text[node.col_offset : node.end_col_offset]


def _excerpt(text: str, limit: int = 40) -> str:
    """`text` as a message quotes it: at most `limit` characters, its middle left out."""
    if len(text) <= limit:
        return text
    kept = (limit - 1) // 2
    return f"{text[:kept]}…{text[-kept:]}"


def _problem(expression: sp.Expr) -> str | None:
    """What keeps `expression` from being evaluated in real floats by numpy code, or None."""
    if expression.has(sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity):
        return "is not finite (a division by zero?)"
    if expression.has(sp.I):
        return "is not a real number"
    too_large = "is too large: numbers must stay below 1e100"
    if any(abs(n.p) > MAX_MAGNITUDE or n.q > MAX_MAGNITUDE for n in expression.atoms(sp.Rational)):
        return too_large
    if any(not abs(n) <= MAX_MAGNITUDE for n in expression.atoms(sp.Float)):
        return too_large
    # numpy code computes powers of constants, such as pi**75, in Python floats: they raise
    # OverflowError (pi**-75 under a fraction bar is printed 1/pi**75) or turn complex.
    constants = [power for power in expression.atoms(sp.Pow) if not power.free_symbols]
    if not expression.free_symbols and not expression.is_Number:
        constants.append(expression)
    try:
        for constant in constants:
            real, imaginary = sp.N(constant, 15).as_real_imag()
            if not (real.is_finite and imaginary.is_finite):
                return "is not finite"
            if abs(imaginary) > 1e-12 * max(1, abs(real)):
                return "is not a real number"
            if abs(real) > MAX_MAGNITUDE:
                return too_large
            if constant.is_Pow and abs(real) < 1 / MAX_MAGNITUDE:
                return "is too small: powers of constants must stay above 1e-100"
    except TypeError:  # a comparison sympy cannot decide: the value did not evaluate to a number
        return "cannot be evaluated"
    return None


def _same_chain(parent: ast.AST, child: ast.AST) -> bool:
    """Whether `child` continues the sum or product `parent` belongs to, as in a+b-c or a*b/c."""
    groups = ({ast.Add, ast.Sub}, {ast.Mult, ast.Div})
    return (
        isinstance(parent, ast.BinOp)
        and isinstance(child, ast.BinOp)
        and any(type(parent.op) in group and type(child.op) in group for group in groups)
    )


def _code_size(expression: sp.Expr, sizes: dict) -> int:
    """The number of terms in the numpy code printed for `expression`, without sharing: the
    printer writes u**n, 2 ≤ n ≤ 8, as n copies of u, so nested squares double it at each level."""
    if expression not in sizes:
        size = 1 + sum(_code_size(argument, sizes) for argument in expression.args)
        if expression.is_Pow and expression.exp.is_Integer and 2 <= abs(expression.exp) <= _LARGEST_POWER_AS_PRODUCT:
            size += (abs(int(expression.exp)) - 1) * _code_size(expression.base, sizes)
        sizes[expression] = size
    return sizes[expression]


def _split(name: str, known: tuple[str, ...]) -> list[str] | None:
    """`name` as a run of `known` names (xy → x, y), or None."""
    if not name:
        return []
    for part in sorted(known, key=len, reverse=True):
        if name.startswith(part) and (rest := _split(name[len(part) :], known)) is not None:
            return [part, *rest]
    return None


def _juxtaposition(text: str, example: str) -> _Refused | None:
    """The first place in `text` where two operands touch (2x, x y, (x+1)x) or a function
    lacks its parentheses (sin x), for a text Python could not parse."""
    tokens = [(match.lastgroup, match.group(), match.start(), match.end()) for match in _TOKEN.finditer(text)]
    for i, ((kind, word, start, end), (next_kind, next_word, next_start, _)) in enumerate(pairwise(tokens)):
        if keyword.iskeyword(word) or keyword.iskeyword(next_word):
            continue
        if kind == "name" and word in FUNCTIONS:
            if next_word != "(":
                return _Refused(f"'{word}' is a function: write {word}({example})", start)
        elif (kind in ("number", "name") or word == ")") and (
            next_kind == "name" or next_word == "(" or (next_kind == "number" and kind != "number")
        ):
            left = text[_group_start(tokens, i) : end]
            right = text[next_start : _group_end(tokens, i + 1, len(text))]
            return _Refused(f"implicit multiplication: write {left}*{right}", next_start)
    return None


def _group_start(tokens, i: int) -> int:
    """Where the operand ending with token i starts: a closing parenthesis takes its group and function."""
    if tokens[i][1] == ")":
        depth = 0
        for j in range(i, -1, -1):
            depth += {")": 1, "(": -1}.get(tokens[j][1], 0)
            if depth == 0:
                has_function = j > 0 and tokens[j - 1][1] in FUNCTIONS
                return tokens[j - 1][2] if has_function else tokens[j][2]
    return tokens[i][2]


def _group_end(tokens, i: int, end_of_text: int) -> int:
    """Where the operand starting with token i ends: an opening parenthesis takes its group."""
    if tokens[i][1] in FUNCTIONS and i + 1 < len(tokens) and tokens[i + 1][1] == "(":
        i += 1
    if tokens[i][1] == "(":
        depth = 0
        for j in range(i, len(tokens)):
            depth += {"(": 1, ")": -1}.get(tokens[j][1], 0)
            if depth == 0:
                return tokens[j][3]
        return end_of_text
    return tokens[i][3]
