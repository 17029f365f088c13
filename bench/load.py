"""A class on one link: simulated students on Streamlit's own protocol, one real browser beside them, and
what the server holds. Prints, asserts nothing.

    .venv/bin/python -m bench.load --students 30 [--interval 5] [--duration 60] [--url URL]
        [--heavy playground|sweep] [--server-option=--runner.postScriptGC=false] [--churn 500]
        [--watch-pid PID… --watch-log LOG…] [--kill-pid PID --kill-after SECONDS] [--no-browser] [--state-size]

Each simulated student is a client of `/_stcore/stream`, as the browser's frontend is: it sends `BackMsg`s
(a `rerun_script` with the link's query string, then with a widget's new value) and reads `ForwardMsg`s
until `script_finished`. All open a Playground link at once (varied loss, runs and steps), then each
changes a setting every `--interval` seconds: a real widget change, the first run's α box or the Steps
box, with the widget id the page sent. A change counts as done when the script has finished and the URL
it wrote holds the new value. Errors: an exception shown in the page, a script that did not finish, a
page whose URL does not hold the new value, a disconnect, and tracebacks in the server's log. A student
that is disconnected reconnects as the frontend does (its session id, then its URL) and says whether the
page came back with its settings. Beside them, one Chromium session (bench/browser.py) changes α every
interval and times the redraw a person sees.

Without `--url`, the app is started on a free loopback port with `--server-option`s added to its command
line, and its RSS and CPU are read from /proc; with `--url` (loopback only: replicas behind nginx, say),
`--watch-pid` and `--watch-log` name the processes and logs to read. `--heavy` adds one neighbour doing the
heaviest thing a link or the sidebar allows. `--churn N` instead opens N short sessions with distinct
settings (distinct ravine κ and typed formulas), `--students` at a time, and prints the server's RSS as they
go.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import pickle
import random
import signal
import statistics
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

import losses
from config import Config, LossChoice, landing_config, new_run, to_query_params

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_STUDENTS = 200
MAX_DURATION = 600  # seconds
MAX_CHURN = 2000
SCRIPT_TIMEOUT = 300  # seconds a script may take before the student counts it as not finished (the largest maps: 2 min)
ONE_D = ("quartic", "wavy", "plateau", "kink", "ripples", "narrow_well")
TWO_D = ("rosenbrock", "himmelblau", "beale", "six_hump_camel", "ravine")
OPTIMISERS = ("gd", "momentum", "adagrad", "rmsprop", "adam", "nadam", "adamax")
# The heaviest Playground link: six runs × 1,000 steps on Rastrigin, side by side, with the internals rows.
HEAVY_PLAYGROUND = Config(
    loss=LossChoice("rastrigin"),
    runs=tuple(new_run(o, (2.2, -1.7), i, alpha=0.05) for i, o in enumerate(OPTIMISERS[:6])),
    steps=1000,
    layout="side_by_side",
    internals=True,
)
# The Sweep page's largest maps: basin maps of a loss of two variables, 400 × 400 cells × 1,000 steps, for its
# four optimisers; each (label, value, which of the boxes so labelled) is one change, and computes every map.
HEAVY_SWEEP = (
    ("Loss function", losses.get("himmelblau").name, 0),
    ("cells", 400, 0),
    ("cells", 400, 1),
    ("Steps", 1000, 0),  # the sidebar's: the first box so labelled
)


@dataclass
class Page:
    """What one script run sent: its number boxes and select boxes by label (id, value field), the values the
    script set on widgets, exceptions, the URL it wrote."""

    widgets: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    set_values: dict[str, WidgetState] = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)
    query_string: str | None = None
    finished: bool = False


@dataclass
class Tally:
    """Everything the students measured."""

    first_page: list[float] = field(default_factory=list)
    changes: list[float] = field(default_factory=list)
    heavy: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("exception", "unfinished", "stale", "disconnect"), 0)
    )
    reconnects: int = 0
    restored: int = 0


class Disconnected(Exception):
    pass


class Student:
    """One browser tab's worth of Streamlit protocol: opens a link, changes widgets, reconnects when cut off."""

    def __init__(self, base_url: str, query: str, page_name: str = "") -> None:
        self.base_url, self.query, self.page_name = base_url.rstrip("/"), query, page_name
        self.session_id = ""
        self.cookies = ""
        self.widget_states: dict[str, WidgetState] = {}
        self.page = Page()
        self.socket = None

    async def connect(self) -> None:
        """The page's HTTP request (which sets the proxy's sticky cookie, if any), then the websocket, with the
        previous session id when there is one, as the frontend reconnects."""
        if not self.cookies:
            self.cookies = await asyncio.to_thread(_cookies_of, f"{self.base_url}/{self.page_name}")
        parsed = urllib.parse.urlsplit(self.base_url)
        scheme = "wss" if parsed.scheme == "https" else "ws"
        self.socket = await websockets.connect(
            f"{scheme}://{parsed.netloc}{parsed.path}/_stcore/stream",
            subprotocols=[websockets.Subprotocol(p) for p in ("streamlit", "xsrf", self.session_id) if p],
            additional_headers={"Origin": f"{parsed.scheme}://{parsed.netloc}", "Cookie": self.cookies},
            max_size=None,
            open_timeout=30,
        )

    async def open(self) -> Page:
        await self.connect()
        return await self.rerun(query=self.query)

    async def change(self, label: str, value: float | str, index: int = 0) -> Page:
        """Set the number box or select box `label` (its `index`th, when several share it) to `value`, as typing
        or choosing it would."""
        widget_id, value_field = self.page.widgets[label][index]
        state = WidgetState(id=widget_id)
        setattr(state, value_field, {"int_value": int, "double_value": float, "string_value": str}[value_field](value))
        self.widget_states[widget_id] = state
        return await self.rerun(query=self.page.query_string or self.query)

    async def rerun(self, query: str) -> Page:
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = self.page_name
        message.rerun_script.widget_states.widgets.extend(self.widget_states.values())
        try:
            await self.socket.send(message.SerializeToString())
            self.page = await asyncio.wait_for(self._read_until_finished(query), SCRIPT_TIMEOUT)
            self.widget_states |= self.page.set_values
        except websockets.ConnectionClosed as closed:
            raise Disconnected from closed
        except TimeoutError:
            self.page = Page(query_string=query)
        return self.page

    async def _read_until_finished(self, query: str) -> Page:
        page = Page(query_string=query)
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.socket.recv())
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.session_id = message.new_session.initialize.session_id or self.session_id
            elif kind == "page_info_changed":
                page.query_string = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                _read_element(message.delta.new_element, page)
            elif kind == "script_finished":
                if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                page.finished = message.script_finished != ForwardMsg.FINISHED_WITH_COMPILE_ERROR
                return page

    async def reconnect(self, tally: Tally) -> None:
        """Reconnect as the frontend does, until the server answers; count whether the page came back with the
        settings its URL held."""
        before = self.page.query_string or self.query
        while True:
            await asyncio.sleep(1)
            try:
                await self.connect()
                page = await self.rerun(query=before)
                break
            except (OSError, websockets.InvalidHandshake, Disconnected, TimeoutError):
                continue
        tally.reconnects += 1
        tally.restored += page.finished and _same_settings(page.query_string, before)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


def _cookies_of(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or ())


def _read_element(element, page: Page) -> None:
    kind = element.WhichOneof("type")
    if kind == "exception":
        page.exceptions.append(element.exception.message)
        return
    widget = getattr(element, kind)
    if kind == "number_input":
        value_field = "int_value" if widget.data_type == widget.INT else "double_value"
        page.widgets.setdefault(widget.label, []).append((widget.id, value_field))
    elif kind == "selectbox":
        page.widgets.setdefault(widget.label, []).append((widget.id, "string_value"))
    if getattr(widget, "set_value", False):
        page.set_values[widget.id] = _set_value(kind, widget)


def _set_value(kind: str, widget) -> WidgetState:
    """The state the frontend keeps for a widget whose value the script set, and sends back with every rerun."""
    state = WidgetState(id=widget.id)
    if kind == "number_input":
        if widget.data_type == widget.INT:
            state.int_value = int(widget.value)
        else:
            state.double_value = widget.value
    elif kind == "slider" and widget.raw_value:  # a select_slider
        state.string_array_value.data.extend(widget.raw_value)
    elif kind == "slider":
        state.double_array_value.data.extend(widget.value)
    elif kind in ("selectbox", "radio"):
        state.string_value = widget.raw_value
    elif kind == "checkbox":
        state.bool_value = widget.value
    else:  # text_input, color_picker
        state.string_value = widget.value
    return state


def _same_settings(query_a: str | None, query_b: str | None) -> bool:
    return urllib.parse.parse_qs(query_a or "") == urllib.parse.parse_qs(query_b or "")


def holds(page: Page, name: str, value: float) -> bool:
    """Whether the URL the page wrote sets `name` to `value`."""
    written = urllib.parse.parse_qs(page.query_string or "").get(name, [""])[0]
    try:
        return math.isclose(float(written), value, rel_tol=1e-12)
    except ValueError:
        return False


def link(rng: random.Random) -> str:
    """A Playground query string: a random loss, one to four random runs, 50–300 steps."""
    loss = rng.choice(ONE_D + TWO_D)
    runs = tuple(
        new_run(
            rng.choice(OPTIMISERS), tuple(rng.uniform(-1.5, 1.5) for _ in range(losses.get(loss).dim)), i, alpha=0.05
        )
        for i in range(rng.randint(1, 4))
    )
    config = Config(loss=LossChoice(loss), runs=runs, steps=rng.choice(range(50, 301, 10)))
    return urllib.parse.urlencode(to_query_params(config))


def tally_page(page: Page, tally: Tally) -> None:
    tally.errors["exception"] += bool(page.exceptions)
    tally.errors["unfinished"] += not page.finished


async def student_life(base_url: str, query: str, interval: float, stop: float, tally: Tally, seed: int) -> None:
    """Open the link, then change α or Steps every `interval` seconds until `stop`."""
    rng = random.Random(seed)
    student = Student(base_url, query)
    start = time.perf_counter()
    try:
        page = await student.open()
    except (OSError, websockets.InvalidHandshake, Disconnected):
        tally.errors["disconnect"] += 1
        return
    tally.first_page.append(time.perf_counter() - start)
    tally_page(page, tally)
    await asyncio.sleep(rng.uniform(0, interval))
    number = 0
    while time.monotonic() < stop:
        number += 1
        label, name, value = (
            ("alpha (exact)", "r1.alpha", round(rng.uniform(0.005, 0.2), 4))
            if number % 2
            else ("Steps", "steps", rng.randrange(30, 301))
        )
        started = time.perf_counter()
        try:
            page = await student.change(label, value)
        except Disconnected:
            tally.errors["disconnect"] += 1
            await student.reconnect(tally)
            continue
        except KeyError:  # the page drew no such box: its script did not get that far, so open the link again
            tally.errors["unfinished"] += 1
            await student.rerun(query=student.query)
            continue
        tally.changes.append(time.perf_counter() - started)
        tally_page(page, tally)
        tally.errors["stale"] += page.finished and not holds(page, name, value)
        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))
    await student.close()


async def heavy_life(base_url: str, kind: str, interval: float, stop: float, tally: Tally) -> None:
    """The heaviest neighbour: the heaviest Playground link, changing its steps every interval; or the Sweep page,
    moved to its largest maps one change at a time."""
    if kind == "playground":
        student = Student(base_url, urllib.parse.urlencode(to_query_params(HEAVY_PLAYGROUND)))
        changes = [("Steps", steps, 0) for steps in range(999, 0, -1)]  # every run computed anew each time
    else:
        student = Student(base_url, "", page_name="sweep")
        changes = list(HEAVY_SWEEP)
    started = time.perf_counter()
    await student.open()
    tally.heavy.append(time.perf_counter() - started)
    for label, value, index in changes:
        if time.monotonic() >= stop:
            break
        started = time.perf_counter()
        page = await student.change(label, value, index)
        tally.heavy.append(time.perf_counter() - started)
        tally_page(page, tally)
        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))
    await student.close()


class Watch(threading.Thread):
    """Samples the RSS and CPU time of processes from /proc once a second."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.samples, self.running = pids, [], True  # samples: (seconds, MB, CPU seconds)
        self.first_cpu: dict[int, float] = {}
        self.last_cpu: dict[int, float] = {}
        self.start_time = time.monotonic()
        self.start()

    def run(self) -> None:
        while self.running:
            self.samples.append(self.sample())
            time.sleep(1)

    def sample(self) -> tuple[float, float, float]:
        rss, cpu = 0.0, 0.0
        for pid in self.pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                status, stat = "", []
            rss_lines = [line for line in status.splitlines() if line.startswith("VmRSS")]
            if not rss_lines:  # a replica that was killed (gone, or a zombie): what it used until then
                cpu += self.last_cpu.get(pid, 0.0)
                continue
            rss += int(rss_lines[0].split()[1]) / 1024
            self.last_cpu[pid] = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
            self.first_cpu.setdefault(pid, self.last_cpu[pid])
            cpu += self.last_cpu[pid]
        return time.monotonic() - self.start_time, rss, cpu

    def rss(self) -> float:
        return self.sample()[1]

    def cpu_each(self) -> list[float]:
        """CPU seconds each process used while watched (a killed one: until its last sample)."""
        return [self.last_cpu.get(pid, 0.0) - self.first_cpu.get(pid, 0.0) for pid in self.pids]

    def timeline(self, every: float = 10) -> list[str]:
        """RSS and CPU use (% of one core) over each `every` seconds."""
        lines, last = [], None
        for when, rss, cpu in self.samples:
            if last is None or when - last[0] >= every:
                if last is not None:
                    lines.append(
                        f"{when:5.0f} s  RSS {rss:6.0f} MB  CPU {100 * (cpu - last[2]) / (when - last[0]):4.0f} %"
                    )
                last = (when, rss, cpu)
        return lines


def real_browser(url: str, interval: float, results: dict, ready: threading.Event, go: threading.Event) -> None:
    """One Chromium tab beside the simulated students: launched first, it opens the landing page when they open
    their links (`go`), then changes α every interval until `results["stop"]`."""
    from playwright.sync_api import sync_playwright

    from bench.browser import CHROMIUM, CHROMIUM_FLAGS, open_playground, redraw

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda error: str(error) != "undefined" and results["errors"].append(str(error)))
        ready.set()
        go.wait()
        start = time.perf_counter()
        open_playground(page, url)
        results["first chart"] = time.perf_counter() - start
        number = 0
        while time.monotonic() < results["stop"]:
            number += 1
            started = time.perf_counter()
            results["redraws"].append(redraw(page, 0.02 + 0.003 * number) / 1e3)
            results["exception boxes"] += page.locator("[data-testid=stException]").count()
            time.sleep(max(0.0, interval - (time.perf_counter() - started)))
        browser.close()


def percentiles(values: list[float], unit: float = 1e3, suffix: str = "ms") -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    digits = 0 if suffix == "ms" else 1
    return (
        f"p50 {statistics.median(ordered) * unit:.{digits}f} {suffix}, p95 {p95 * unit:.{digits}f} {suffix},"
        f" max {ordered[-1] * unit:.{digits}f} {suffix} (n = {len(ordered)})"
    )


async def class_session(arguments, url: str, stop: float, tally: Tally) -> None:
    rng = random.Random(arguments.seed)
    lives = [
        student_life(url, link(rng), arguments.interval, stop, tally, arguments.seed + n)
        for n in range(arguments.students)
    ]
    if arguments.heavy:
        lives.append(heavy_life(url, arguments.heavy, arguments.interval, stop, tally))
    if arguments.kill_pid:
        lives.append(kill_later(arguments.kill_pid, arguments.kill_after))
    await asyncio.gather(*lives)


async def kill_later(pid: int, after: float) -> None:
    await asyncio.sleep(after)
    os.kill(pid, signal.SIGKILL)
    print(f"killed process {pid} at {after:.0f} s")


def session_state_size(config: Config) -> tuple[int, int]:
    """How many entries a Playground session keeps in its state for `config`'s link, and their size pickled:
    what the server holds for a student between changes, besides the shared caches."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for name, value in to_query_params(config).items():
        app.query_params[name] = value
    app.run()
    state = app.session_state._state.filtered_state
    return len(state), len(pickle.dumps(state))


async def warm_up(url: str, visits: int) -> None:
    """Visits to the landing page before anything is measured, as a server has had before a class comes; behind
    a proxy, enough of them that each replica is likely to get one (each visit draws its replica anew)."""

    async def visit() -> None:
        student = Student(url, "")
        await student.open()
        await student.close()

    await asyncio.gather(*(visit() for _ in range(visits)))


def churn_link(number: int) -> str:
    """A distinct link: a ravine with its own κ and angle, or a typed formula of its own."""
    if number % 2:
        kappa, angle = 1 + (number * 0.6180339887) % 999, (number * 7.3) % 180 - 90
        config = Config(
            loss=LossChoice("ravine", settings=(("condition", kappa), ("angle", angle))),
            runs=(new_run("adam", (1.0, 0.5), 0, alpha=0.05),),
        )
    else:
        config = Config(
            loss=LossChoice(
                "custom", expression=f"(x^2 - {1 + number / 997:.6f})^2 + {0.1 + number / 4999:.6f}*sin(9*x)"
            ),
            runs=(new_run("rmsprop", (0.3,), 0, alpha=0.05),),
        )
    return urllib.parse.urlencode(to_query_params(config))


async def churn(url: str, count: int, at_once: int, watch: Watch, tally: Tally) -> None:
    """`count` short sessions with distinct settings, `at_once` at a time: open, change α, close."""

    async def visit(number: int) -> None:
        student = Student(url, churn_link(number))
        started = time.perf_counter()
        try:
            tally_page(await student.open(), tally)
            tally.first_page.append(time.perf_counter() - started)
            started = time.perf_counter()
            page = await student.change("alpha (exact)", 0.01 + number / 1e5)
            tally.changes.append(time.perf_counter() - started)
            tally_page(page, tally)
        except (Disconnected, KeyError):
            tally.errors["disconnect"] += 1
        await student.close()

    for first in range(0, count, at_once):
        await asyncio.gather(*(visit(n) for n in range(first, min(first + at_once, count))))
        if (first + at_once) % 100 < at_once:
            print(f"  after {min(first + at_once, count):4d} sessions: server RSS {watch.rss():.0f} MB")


def report(arguments, tally: Tally, watch: Watch, idle: float, browser: dict | None, logs: list[Path]) -> None:
    print(f"first complete page: {percentiles(tally.first_page, 1, 's')}")
    print(f"change → script finished with the new value: {percentiles(tally.changes)}")
    if tally.heavy:
        print(f"heavy neighbour ({arguments.heavy}), each open or change: {percentiles(tally.heavy, 1, 's')}")
    tracebacks = sum(log.read_text().count("Traceback") for log in logs) if logs else "not read (no --watch-log)"
    errors = ", ".join(f"{kind} {count}" for kind, count in tally.errors.items())
    print(f"errors: {errors}, server tracebacks {tracebacks}")
    if tally.reconnects:
        print(f"reconnects: {tally.reconnects}, {tally.restored} came back with their URL's settings")
    if browser is not None:
        print(
            f"real Chromium beside them: first chart {browser.get('first chart', math.nan):.1f} s;"
            f" α change → redrawn {percentiles(browser['redraws'])};"
            f" page errors {len(browser['errors'])}, exception boxes {browser['exception boxes']}"
        )
    peak = max(rss for _, rss, _ in watch.samples)
    busy = [s for s in watch.samples if s[1] > 0]
    mean_cpu = 100 * (busy[-1][2] - busy[0][2]) / max(busy[-1][0] - busy[0][0], 1e-9)
    print(
        f"server: RSS idle {idle:.0f} MB (warmed up), peak {peak:.0f} MB; CPU {mean_cpu:.0f} % of one core on average"
    )
    if len(watch.pids) > 1:
        print(
            "  CPU seconds by process: "
            + ", ".join(f"{pid} {cpu:.0f}" for pid, cpu in zip(watch.pids, watch.cpu_each(), strict=True))
        )
    for line in watch.timeline():
        print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between one student's changes")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of changes after the links open")
    parser.add_argument("--url", help="a running app (loopback only); default: start one")
    parser.add_argument("--server-option", action="append", default=[], help="added to `streamlit run app.py`")
    parser.add_argument("--watch-pid", type=int, nargs="+", default=[], help="with --url: the processes to read")
    parser.add_argument("--watch-log", type=Path, nargs="+", default=[], help="with --url: their logs")
    parser.add_argument("--heavy", choices=("playground", "sweep"), help="add the heaviest neighbour")
    parser.add_argument("--churn", type=int, default=0, help="open this many short sessions with distinct settings")
    parser.add_argument("--kill-pid", type=int, help="SIGKILL this process (a replica) during the run")
    parser.add_argument("--kill-after", type=float, default=20.0)
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to watch the server after closing")
    parser.add_argument("--no-browser", action="store_true", help="no real Chromium session beside")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--state-size", action="store_true", help="print what one session keeps, and stop")
    arguments = parser.parse_args()
    if arguments.state_size:
        for name, config in (("landing page", landing_config()), ("heaviest link", HEAVY_PLAYGROUND)):
            entries, size = session_state_size(config)
            print(f"session state, {name}: {entries} entries, {size / 1024:.1f} KB pickled")
        return
    if not 1 <= arguments.students <= MAX_STUDENTS or not 0 < arguments.duration <= MAX_DURATION:
        parser.error(f"at most {MAX_STUDENTS} students and {MAX_DURATION} s")
    if not 0 <= arguments.churn <= MAX_CHURN:
        parser.error(f"at most {MAX_CHURN} churned sessions")
    if arguments.url and urllib.parse.urlsplit(arguments.url).hostname not in LOOPBACK:
        parser.error("the load bench runs against loopback only")

    server = None
    if arguments.url:
        url, pids, logs = arguments.url.rstrip("/"), arguments.watch_pid, arguments.watch_log
    else:
        from bench.browser import serve

        logs = [ROOT / "artifacts" / "load-server.log"]
        server, url = serve(options=arguments.server_option, log=logs[0])
        pids = [server.pid]
    print(f"load: {time.strftime('%H:%M:%S')}, {os.getloadavg()[0]:.2f} load (1 min), {os.cpu_count()} cores")
    if arguments.churn:
        what = f"{arguments.churn} short sessions, {arguments.students} at a time"
    else:
        what = (
            f"{arguments.students} students, a change every {arguments.interval:g} s each for {arguments.duration:g} s"
        )
    print(f"  {what}; {url}, server options {arguments.server_option or 'none'}, heavy {arguments.heavy or 'none'}")
    try:
        watch = Watch(pids)
        asyncio.run(warm_up(url, visits=1 if len(pids) == 1 else 4 * len(pids)))
        time.sleep(2)
        idle = watch.rss()
        tally = Tally()
        if arguments.churn:
            asyncio.run(churn(url, arguments.churn, arguments.students, watch, tally))
            browser = None
        else:
            browser = None if arguments.no_browser else {"redraws": [], "errors": [], "exception boxes": 0}
            ready, go = threading.Event(), threading.Event()
            if browser is not None:
                beside = threading.Thread(target=real_browser, args=(url, arguments.interval, browser, ready, go))
                beside.start()
                ready.wait(timeout=120)
            stop = time.monotonic() + arguments.duration
            if browser is not None:
                browser["stop"] = stop
            go.set()
            asyncio.run(class_session(arguments, url, stop, tally))
            if browser is not None:
                beside.join()
        closed = watch.rss()
        time.sleep(arguments.settle)
        settled = watch.rss()
        watch.running = False
        report(arguments, tally, watch, idle, browser, logs)
        print(
            f"after the sessions closed: RSS {closed:.0f} MB, {settled:.0f} MB {arguments.settle:g} s later"
            f" ({settled / idle:.2f}× idle)"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
