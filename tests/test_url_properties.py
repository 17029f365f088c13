"""Any query string at all opens a working Playground: a Config and messages, never an exception."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import played
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import losses
import optimisers
from config import (
    CUSTOM_LOSS,
    FRAME_MS_RANGE,
    LAYOUTS,
    MAX_LABEL_LENGTH,
    MAX_RUNS,
    MAX_STEPS,
    QUOTED_LENGTH,
    from_query_params,
    valid_domain,
)

PAGE = str(Path(__file__).resolve().parent.parent / "views" / "playground_page.py")
MAX_PARAMETERS = 1000  # Streamlit ignores a longer query string altogether
# A message says what it changed in a sentence, quoting at most QUOTED_LENGTH characters of the value.
LONGEST_MESSAGE = 150 + QUOTED_LENGTH

# Keys the URL uses, their near misses, and anything.
KEYS = st.one_of(
    st.sampled_from(["loss", "expr", "domain", "steps", "layout", "speed", "log", "internals", "loss.condition"]),
    st.sampled_from(["loss.angle", "loss.foo", "r", "r0", "r1", "r01", "r001", "r2", "r02", "r6", "r7", "r999"]),
    st.builds(
        "{}.{}".format,
        st.sampled_from(["r1", "r01", "r2", "r3"]),
        st.sampled_from(["alpha", "beta", "beta1", "beta2", "eps", "momentum", "rho", "x0", "label", "colour", "zz"]),
    ),
    st.builds("r{}".format, st.integers(0, 10_000)),
    st.text(max_size=12),
)
# Values the URL uses, hostile ones, and anything.
VALUES = st.one_of(
    st.sampled_from([*losses.ids(), CUSTOM_LOSS, *optimisers.REGISTRY, *LAYOUTS, "0", "1", "-1", "0.5", "1e-08"]),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "1e400", "1_000", " 5", "0x10", "9**9**9", "x^2", "-3,3", ""]),
    st.sampled_from(["8000,10000", "(x-9000)^2", "zzz", "ff7f0e", "#FF7F0E", "<b>x</b>", "١", "𝟏", "\x00"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=60),
    st.text(alphabet="9e.,-+", min_size=100, max_size=3000),
)
QUERIES = st.dictionaries(KEYS, VALUES, max_size=MAX_PARAMETERS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(QUERIES)
def test_any_query_string_gives_a_valid_config_and_short_messages(params):
    config, messages = from_query_params(params)
    assert all(isinstance(m, str) and len(m) <= LONGEST_MESSAGE for m in messages), messages
    if config.loss.id == CUSTOM_LOSS:
        assert valid_domain(config.loss.domain)
        domain = (config.loss.domain,)
    else:
        domain = config.loss.resolve().domain
    assert 1 <= len(config.runs) <= MAX_RUNS
    assert 1 <= config.steps <= MAX_STEPS and FRAME_MS_RANGE[0] <= config.frame_ms <= FRAME_MS_RANGE[1]
    assert config.layout in LAYOUTS
    for run in config.runs:
        assert run.create_optimiser().id == run.optimiser
        assert all(low <= v <= high for v, (low, high) in zip(run.x0, domain, strict=True))
        assert 1 <= len(run.label) <= MAX_LABEL_LENGTH and re.fullmatch(r"#[0-9a-f]{6}", run.colour)


# Repeated keys (the page reads the last), and a few parameters: each example runs the whole page.
PAGE_QUERIES = st.dictionaries(KEYS, st.one_of(VALUES, st.lists(VALUES, min_size=2, max_size=3)), max_size=12)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGE_QUERIES)
def test_any_query_string_opens_the_page_with_messages_and_no_exception(params):
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert played(at) or at.error  # the runs drawn, or what to fix in the formula
