"""`losses.parse`: hostile input is refused before anything runs; mistakes get messages that say
what to fix; accepted expressions evaluate and differentiate like the built-in losses."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import losses
from losses.parse import FUNCTIONS, MAX_LENGTH

CANARY = "CANARY"
PARSER_SOURCE = Path(__file__).resolve().parent.parent / "losses" / "parse.py"

HOSTILE = [
    # escapes through attributes, subscripts and builtins
    "().__class__.__bases__[0].__subclasses__()",
    "().__class__.__base__.__subclasses__()",
    "x.__class__",
    "x.real",
    "x[0]",
    "(1).__class__.__mro__",
    f"__import__('os').system('touch {CANARY}')",
    f"open('{CANARY}','w')",
    f"open({CANARY})",
    f"exec(\"open('{CANARY}','w')\")",
    f"eval(\"open('{CANARY}','w')\")",
    f"compile('open(1)','{CANARY}','exec')",
    "globals()",
    "locals()",
    "vars()",
    "getattr(x, 'real')",
    "__builtins__",
    "breakpoint()",
    # other Python constructs
    "lambda: 1",
    "lambda x: open(x)",
    "[x for x in (1, 2)]",
    "(x for x in x)",
    "{x: 1}",
    "{x}",
    "f'{x}'",
    "(x := 1)",
    "x if x else x",
    "x < 1",
    "x == x",
    "x is x",
    "x in x",
    "x and x",
    "x or x",
    "not x",
    "*x",
    "sin(*x)",
    "...",
    "(yield x)",
    "await x",
    "x, x",
    "'x'",
    '"x"',
    "b'x'",
    "x // 2",
    "x % 2",
    "x @ x",
    "x & x",
    "~x",
    "sin(x, x)",
    "sin(x=1)",
    "sin()",
    "True",
    "None",
    "1j",
    "0x10",
    "1_000",
    # resource exhaustion
    "9**9**9",
    "10**10**10",
    "(((999999**100)**100)**100)**100",
    "2**1000",
    "x**1000",
    "exp(exp(exp(9)))",
    "1e999999",
    "1" * 400,
    "(" * 1000 + "x" + ")" * 1000,
    "-" * 499 + "x",
    "x+" * 500_000 + "x",
    "sin(" * 30 + "x" + ")" * 30,
    # characters
    "x\0",
    "\0",
    "ｘ",
    "x\u200b",
    "",
    "   \n\t ",
]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A fresh current directory: anything hostile input managed to write would land here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("text", HOSTILE, ids=lambda text: repr(text[:40]))
def test_a_refusal_is_one_short_sentence_that_quotes_little_of_the_input(text):
    with pytest.raises(losses.ExpressionError) as refusal:
        losses.parse(text)
    message = str(refusal.value)
    assert 0 < len(message) <= 200 and "\n" not in message
    assert len(max(re.findall(r"'([^']*)'", message), key=len, default="")) <= 40


@pytest.mark.parametrize("text", HOSTILE, ids=lambda text: repr(text[:40]))
def test_hostile_input_is_refused_and_nothing_runs(text, workdir):
    with pytest.raises(losses.ExpressionError):
        losses.parse(text)
    assert list(workdir.iterdir()) == [], "the expression ran code"


def test_the_parser_never_hands_text_to_an_evaluator():
    tree = ast.parse(PARSER_SOURCE.read_text())
    calls = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
    names = {function.id for function in calls if isinstance(function, ast.Name)}
    attributes = {function.attr for function in calls if isinstance(function, ast.Attribute)}
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    imported = {alias.name for node in imports for alias in node.names}
    assert not names & {"eval", "exec", "compile", "__import__", "sympify", "parse_expr"}
    assert not attributes & {"sympify", "parse_expr", "eval", "exec"}
    assert not imported & {"numexpr", "sympify", "parse_expr"}


def test_expression_error_is_a_value_error():
    assert issubclass(losses.ExpressionError, ValueError)


def _message(text: str, variables=("x",)) -> str:
    with pytest.raises(losses.ExpressionError) as caught:
        losses.parse(text, variables=variables)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        ("x + (2", 5, "'(' was never closed"),
        ("x + 2)", 6, "unmatched ')'"),
        ("x +* 2", 4, "unexpected '*'"),
        ("x^2 + * 3", 7, "unexpected '*'"),  # the column counts in the text as typed, with ^
        ("x +", 4, "incomplete"),
    ],
)
def test_a_syntax_error_says_where(text, column, reason):
    with pytest.raises(losses.ExpressionError) as caught:
        losses.parse(text)
    assert caught.value.column == column
    assert reason in str(caught.value)
    assert f"column {column}" in str(caught.value)


def test_an_unknown_name_suggests_the_call():
    assert "unknown name 'sinx' — did you mean sin(x)?" in _message("sinx")
    assert "unknown name 'expy' — did you mean exp(y)?" in _message("expy", ("x", "y"))
    assert "did you mean x*y?" in _message("xy", ("x", "y"))
    assert "did you mean x?" in _message("X")
    assert "unknown function 'sine' — did you mean sin?" in _message("sine(x)")
    assert "unknown name 'foo'" in _message("foo + 1")


@pytest.mark.parametrize("text", ["sin", "sin + 1", "sin x", "2*sin"])
def test_a_bare_function_name_asks_for_parentheses(text):
    assert "'sin' is a function: write sin(x)" in _message(text)


@pytest.mark.parametrize(
    ("text", "fix", "variables"),
    [
        ("2x", "2*x", ("x",)),
        ("2 x", "2*x", ("x",)),
        ("x y", "x*y", ("x", "y")),
        ("2(x+1)", "2*(x+1)", ("x",)),
        ("(x+1)(x-1)", "(x+1)*(x-1)", ("x",)),
        ("x(x+1)", "x*(x+1)", ("x",)),
        ("(x+1)x", "(x+1)*x", ("x",)),
        ("2 sin(x)", "2*sin(x)", ("x",)),
        ("x^4 - 2x^2 + x", "2*x", ("x",)),
    ],
)
def test_implicit_multiplication_shows_the_product(text, fix, variables):
    assert f"implicit multiplication: write {fix}" in _message(text, variables)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x.real", "attribute access"),
        ("x if x else x", "'if … else' is not allowed"),
        ("x and x", "'and' / 'or' is not allowed"),
        ("not x", "'not' is not allowed"),
        ("x is x", "comparison is not allowed"),
        ("x, x", "a list of values separated by commas is not allowed"),
        ("(x for x in x)", "'for' inside an expression is not allowed"),
        ("x // 2", "the operator '//' is not allowed"),
        ("x < 1", "'<' is not allowed"),
        ("x[0]", "'[' is not allowed: use ( ) for grouping"),
        ("'x'", "''' is not allowed"),
        ("sin(x, x)", "sin takes one argument: write sin(x)"),
        ("sin(x=1)", "'=' is not allowed"),
        ("open(x)", "unknown function 'open'"),
        ("True", "True is not a number"),
        ("1j", "imaginary numbers are not allowed"),
        ("0x10", "write '0x10' in decimal"),
        ("1" * 21, "too many digits"),
        ("1e999999", "'1e999999' is too large"),
        ("9**9**9", "the exponent in '9**9**9' is too large: at most 100"),
        ("x^1000", "the exponent in 'x**1000' is too large"),
        ("(999999**100)**100", "'999999**100' is too large"),
        ("exp(300)", "'exp(300)' is too large"),
        ("log(-1)", "'log(-1)' is not a real number"),
        ("sqrt(-1)*x", "'sqrt(-1)' is not a real number"),
        ("asin(2) + x", "'asin(2)' is not a real number"),
        ("(-8)^(1/3)", "is not a real number"),
        ("1/0", "'1/0' is not finite"),
        ("x/0", "'x/0' is not finite"),
        ("log(0)", "'log(0)' is not finite"),
        ("(-2)^x", "the base must be positive"),
        ("x/((1/pi)^75)^10", "too small"),
        ("-" * 30 + "x", "nested too deeply"),
        ("+".join(["x"] * 61), "the expression is too big"),
        ("(" * 8 + "x" + "".join(f"^2+{k})" for k in range(8)), "too complex"),
        ("x" * (MAX_LENGTH + 1), "too long"),
        ("", "empty"),
        (" \t", "empty"),
        ("ｘ + 1", "only ASCII characters are allowed, not 'ｘ': write x"),
        ("x − 1", "write -"),
        ("x\0", "control character"),
    ],
)
def test_each_refusal_says_what_to_fix(text, message):
    assert message in _message(text)


def test_a_refusal_of_a_construct_carries_its_column():
    with pytest.raises(losses.ExpressionError) as caught:
        losses.parse("x + 1 + y.real", variables=("x", "y"))
    assert caught.value.column == 9


GRID = np.linspace(-2.5, 2.5, 101)[:, None]


@pytest.mark.parametrize(
    ("text", "id"),
    [
        ("x**4 - 2*x**2 + x", "quartic"),
        ("x^4 - 2*x^2 + x", "quartic"),
        ("(x^2 - 2*x)^2 + 0.5*sin(12*x)", "wavy"),
        ("x^2/4 - cos(2*pi*x) + 1", "ripples"),
        ("abs(x) + x^2/10", "kink"),
        ("1 - e^(-x^2)", "plateau"),
    ],
)
def test_typed_functions_match_the_catalogue(text, id):
    typed, built_in = losses.parse(text, domain=losses.get(id).domain), losses.get(id)
    np.testing.assert_allclose(typed.f(GRID), built_in.f(GRID), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(typed.grad(GRID), built_in.grad(GRID), rtol=1e-12, atol=1e-12)
    value, gradient = typed.value_and_grad(GRID)
    np.testing.assert_allclose(value, built_in.f(GRID), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gradient, built_in.grad(GRID), rtol=1e-12, atol=1e-12)
    assert len(typed.minima) == len(built_in.minima)
    for mine, theirs in zip(typed.minima, built_in.minima, strict=True):
        np.testing.assert_allclose(mine.x, theirs.x, atol=1e-9)
        assert mine.is_global == theirs.is_global


def test_a_typed_loss_describes_itself():
    loss = losses.parse("  x ^ 2   +  1 ")
    assert loss.id == "custom"
    assert loss.name == "x ** 2 + 1"
    assert "typed" in loss.description
    assert loss.dim == 1
    assert loss.domain == ((-3.0, 3.0),)
    assert loss.latex == "x^{2} + 1"
    (minimum,) = loss.minima
    assert minimum.x[0] == pytest.approx(0.0, abs=1e-9)
    assert minimum.value == pytest.approx(1.0)
    assert minimum.is_global


def test_two_variables_work_on_batches():
    loss = losses.parse("x**2 + 3*y**2", variables=("x", "y"))
    points = np.random.default_rng(0).uniform(-3, 3, (4, 5, 2))
    x, y = points[..., 0], points[..., 1]
    assert loss.dim == 2
    assert loss.domain == ((-3.0, 3.0), (-3.0, 3.0))
    assert loss.minima == ()
    np.testing.assert_allclose(loss.f(points), x**2 + 3 * y**2)
    np.testing.assert_allclose(loss.grad(points), np.stack([2 * x, 6 * y], axis=-1))
    value, gradient = loss.value_and_grad(points)
    assert value.shape == (4, 5) and gradient.shape == (4, 5, 2)
    np.testing.assert_allclose(gradient, np.stack([2 * x, 6 * y], axis=-1))


def test_a_constant_broadcasts_to_the_batch():
    loss = losses.parse("pi / 2")
    points = np.zeros((3, 4, 1))
    np.testing.assert_allclose(loss.f(points), np.full((3, 4), np.pi / 2))
    np.testing.assert_array_equal(loss.grad(points), np.zeros((3, 4, 1)))


def test_points_where_f_is_not_finite_come_back_as_inf_or_nan():
    with np.errstate(divide="ignore", invalid="ignore"):
        assert losses.parse("log(x)").f(np.array([[0.0]]))[0] == -np.inf
        assert np.isnan(losses.parse("log(x)").f(np.array([[-1.0]]))[0])
        assert not np.isfinite(losses.parse("1/x").grad(np.array([[0.0]]))[0, 0])
        assert np.isnan(losses.parse("sqrt(x)").value_and_grad(np.array([[-4.0]]))[1][0, 0])


def test_minima_at_a_pole_of_the_slope_are_dropped():
    assert losses.parse("log(x)").minima == ()
    (minimum,) = losses.parse("abs(log(x))").minima
    assert minimum.x[0] == pytest.approx(1.0, abs=1e-9)


def test_abs_differentiates_to_the_sign_even_where_sympy_cannot_prove_its_argument_real():
    np.testing.assert_array_equal(losses.parse("abs(x)").grad(np.array([[-2.0], [0.0], [3.0]]))[:, 0], [-1, 0, 1])
    gradient = losses.parse("abs(log(x))").grad(np.array([[1 / np.e], [1.0], [np.e]]))[:, 0]
    np.testing.assert_allclose(gradient, [-np.e, 0.0, 1 / np.e])


NUMPY_FUNCTIONS = {
    "sin": (np.sin, np.cos),
    "cos": (np.cos, lambda u: -np.sin(u)),
    "tan": (np.tan, lambda u: 1 / np.cos(u) ** 2),
    "sinh": (np.sinh, np.cosh),
    "cosh": (np.cosh, np.sinh),
    "tanh": (np.tanh, lambda u: 1 - np.tanh(u) ** 2),
    "asin": (np.arcsin, lambda u: 1 / np.sqrt(1 - u**2)),
    "arcsin": (np.arcsin, lambda u: 1 / np.sqrt(1 - u**2)),
    "acos": (np.arccos, lambda u: -1 / np.sqrt(1 - u**2)),
    "arccos": (np.arccos, lambda u: -1 / np.sqrt(1 - u**2)),
    "atan": (np.arctan, lambda u: 1 / (1 + u**2)),
    "arctan": (np.arctan, lambda u: 1 / (1 + u**2)),
    "exp": (np.exp, np.exp),
    "log": (np.log, lambda u: 1 / u),
    "ln": (np.log, lambda u: 1 / u),
    "log10": (np.log10, lambda u: 1 / (u * np.log(10))),
    "log2": (np.log2, lambda u: 1 / (u * np.log(2))),
    "sqrt": (np.sqrt, lambda u: 0.5 / np.sqrt(u)),
    "abs": (np.abs, np.sign),
}


def test_every_allowed_function_is_covered():
    assert set(NUMPY_FUNCTIONS) == set(FUNCTIONS)


@pytest.mark.parametrize("name", NUMPY_FUNCTIONS)
def test_each_function_evaluates_and_differentiates_like_numpy(name):
    function, derivative = NUMPY_FUNCTIONS[name]
    points = np.linspace(0.1, 0.9, 9)[:, None]
    loss = losses.parse(f"{name}(x)")
    np.testing.assert_allclose(loss.f(points), function(points[:, 0]), rtol=1e-12)
    np.testing.assert_allclose(loss.grad(points)[:, 0], derivative(points[:, 0]), rtol=1e-12)


def test_results_are_cached_per_normalised_text_variables_and_domain():
    assert losses.parse("x^2 + 1") is losses.parse("  x**2  +   1")
    assert losses.parse("x^2 + 1") is not losses.parse("x^2 + 1", domain=((-1, 1),))
    assert losses.parse("x^2 + 1", variables=("x", "y")) is not losses.parse("x^2 + 1")


@pytest.mark.parametrize(
    ("variables", "domain"),
    [(("sin",), None), (("x", "x"), None), ((), None), (("x y",), None), (("x",), ((1, -1),)), (("x",), ((0, 1),) * 2)],
)
def test_bad_variables_or_domain_are_a_programming_error(variables, domain):
    with pytest.raises(ValueError) as caught:
        losses.parse("1", variables=variables, domain=domain)
    assert not isinstance(caught.value, losses.ExpressionError)


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("x^^2", "syntax error: unexpected '^'", 3),
        ("__import__('os')", "'__import__' is not allowed", 1),
        ("sin(x) + _secret", "'_secret' is not allowed", 10),
    ],
)
def test_a_refusal_names_what_was_typed(text, message, column):
    with pytest.raises(losses.ExpressionError) as refusal:
        losses.parse(text)
    assert str(refusal.value).startswith(message) and f"(column {column})" in str(refusal.value)
