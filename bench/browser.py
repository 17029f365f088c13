"""What a user waits for in a real browser. Prints, asserts nothing.

    .venv/bin/python -m bench.browser [--repeats N] [--against OTHER_CHECKOUT | --floor | --first-page | --explore]

Starts `streamlit run app.py`, drives Debian's Chromium (/usr/bin/chromium) with Playwright, and
times: a Playground slider change until the animation is redrawn (goal ≤ 500 ms median), on the landing
page and on a map (Rosenbrock, 4 runs × 300 steps), each as it opens and with the internals rows shown,
counted until Plotly has drawn the new chart, not only received its frames; on the same pages, the
player's scrubber moved until the points are drawn at the new step (goal ≤ 50 ms); "Explore a setting"'s
slider moved until the explored run's path is drawn anew, with the reruns it started (goal ≤ 50 ms, none); the
Sweep page's default maps (200 × 200 × 200, four optimisers) from a click on its link until every heatmap is
drawn (goal ≤ 3 s), first with nothing cached and then again; and the Article and Theory pages from a click on
their link until drawn (goal under 2 s). With --explore, it times only the explorer's slider.

With --against, it times only the Playground's redraws, on this checkout and on another one (say
`git worktree add /tmp/before HEAD~1`) served side by side, taking turns, and prints the ratio: on a
shared machine, only a comparison within one run says whether a change made a difference. With --floor,
the other one is this app with a bare figure (bench/floor_app.py): what is left is what drawing the
figure costs.

With --first-page, it times the first page a new visitor sees: from opening the Playground in a fresh browser
context (nothing cached) until its first chart is drawn, against a bare Streamlit page with one Plotly chart
(bench/bare_page.py), first on warm servers, taking turns (goal ≤ 1.5×), then on servers started afresh for
each visit (goal ≤ 2× the bare page on a warm server). It prints the ratios and, for each page, the medians
of marks that say where the time went (FIRST_PAGE_MARKS): bench/floor_app.py, the app with a bare figure, would
load everything the app loads, which is what the first page is to be measured against.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM, CHROMIUM_FLAGS, SCRIPT_IDLE, _free_port  # noqa: E402

from config import landing_config, to_query_params  # noqa: E402

CHARTS = "Array.from(document.querySelectorAll('.js-plotly-plot'))"
ANIMATION = "document.querySelector('.descent-plot.js-plotly-plot')"
# The player counts the figures it has drawn (data-draws), once Plotly has drawn each and shown its step.
DRAWS = f"() => Number({ANIMATION}.dataset.draws)"
# Times moving the player's scrubber to each of `targets` until the runs' points are drawn there.
SCRUB = f"""async targets => {{
    const gd = {ANIMATION}, scrubber = document.querySelector(".descent-scrubber");
    const points = () => Array.from(gd.querySelectorAll(".scatterlayer .trace"))
        .filter(group => group.__data__[0].trace.cliponaxis === false)
        .map(group => Array.from(group.querySelectorAll("path.point"), p => p.getAttribute("transform")).join())
        .join();
    const times = [];
    for (const k of targets) {{
        const before = points(), start = performance.now();
        scrubber.value = String(k);
        scrubber.dispatchEvent(new Event("input"));
        while (points() === before) await new Promise(requestAnimationFrame);
        times.push(performance.now() - start);
    }}
    return times;
}}"""
EXPLORER = "[class*=explore_player]"  # Streamlit names a component's element after its key
# Times moving the explorer's slider to each of `targets` until the explored run's path (its line or its points)
# is drawn anew, and counts the script runs meanwhile (there should be none).
EXPLORE_SCRUB = f"""async targets => {{
    const app = document.querySelector("[data-testid=stApp]");
    let reruns = 0;
    const watcher = new MutationObserver(() => {{ reruns += app.dataset.testScriptState === "running"; }});
    watcher.observe(app, {{attributes: true, attributeFilter: ["data-test-script-state"]}});
    const gd = document.querySelector("{EXPLORER} .descent-plot.js-plotly-plot");
    const scrubber = document.querySelector("{EXPLORER} .descent-scrubber");
    const path = () => Array.from(gd.querySelectorAll(".scatterlayer .trace"))
        .filter(group => group.__data__[0].trace.name.endsWith(" path"))
        .map(group => Array.from(group.querySelectorAll("path.js-line, path.point"),
            p => p.getAttribute("d") + p.getAttribute("transform")).join())
        .join();
    const times = [];
    for (const k of targets) {{
        const before = path(), start = performance.now();
        scrubber.value = String(k);
        scrubber.dispatchEvent(new Event("input"));
        while (path() === before) await new Promise(requestAnimationFrame);
        times.push(performance.now() - start);
    }}
    await new Promise(resolve => setTimeout(resolve, 1000));  // a rerun would have started by now
    watcher.disconnect();
    return [times, reruns];
}}"""
MAP_RUNS = "&".join(
    f"r{n}={optimiser}&r{n}.alpha={alpha}&r{n}.x0=-1.5,2"
    for n, (optimiser, alpha) in enumerate((("gd", 1e-3), ("adagrad", 0.5), ("rmsprop", 0.01), ("adam", 0.05)), 1)
)
ON_A_MAP = f"/?loss=rosenbrock&steps=300&{MAP_RUNS}"
ON_A_MAP_ADAM = "/?loss=rosenbrock&steps=300&r1=adam&r1.alpha=0.05&r1.x0=-1.5,2"
WITH_INTERNALS = "/?" + urllib.parse.urlencode(to_query_params(replace(landing_config(), internals=True)))
REDRAWS = (
    ("landing page", ""),
    ("landing page, internals shown", WITH_INTERNALS),
    ("map, 4 runs × 300 steps", ON_A_MAP),
    ("map, internals shown", f"{ON_A_MAP}&internals=1"),
)
# The Playground's first chart is drawn once the player has drawn a figure; the bare page's once its curve is.
FIRST_CHART_DRAWN = {
    "app.py": f"() => Number({ANIMATION}?.dataset.draws) > 0",
    "bench/bare_page.py": "() => !!document.querySelector('.js-plotly-plot .scatterlayer .trace path')",
}
# Where a first page's time goes, marked in milliseconds from the navigation's start: Streamlit's page shown
# (its bundle fetched and run), the Playground's title (the script's first element), plotly.js run (its last
# statement sets window.Plotly) and the chart drawn. plotly.js's request (queued, then sent), its first byte and
# its last come from the browser's resource timing.
FIRST_PAGE_MARKS = """drawn => {
    const marks = (window.firstPageMarks = {});
    const mark = (name) => { marks[name] ??= performance.now(); };
    let plotly;
    Object.defineProperty(window, "Plotly", {
        configurable: true,
        get: () => plotly,
        set: (value) => { mark("plotly.js run"); plotly = value; },
    });
    new MutationObserver(() => {
        if (document.querySelector("[data-testid=stApp]")) mark("Streamlit's page");
        if (document.querySelector("[data-testid=stMain] h1")) mark("title");
        if (drawn()) mark("chart drawn");
    }).observe(document, { subtree: true, childList: true, attributes: true });
}"""
PLOTLY_JS_TIMING = """() => {
    const entry = performance.getEntriesByType("resource").find((e) => /plotly/i.test(e.name));
    return {
        "plotly.js asked for": entry.startTime,
        "sent": entry.requestStart,
        "first byte": entry.responseStart,
        "last byte": entry.responseEnd,
    };
}"""
EXPLORED = (("landing page, the first run's α", ""), ("map, Rosenbrock, Adam's α, 300 steps", ON_A_MAP_ADAM))
HEATMAPS = f"() => {CHARTS}.flatMap(gd => gd.data).filter(t => t.type === 'heatmap').length"


def serve(
    root: Path = ROOT, script: str = "app.py", options: list[str] = (), log: Path | None = None
) -> tuple[subprocess.Popen, str]:
    """`streamlit run script` on a free loopback port, with extra command-line `options`; its output to `log`."""
    port = _free_port()
    output = subprocess.DEVNULL
    if log:
        log.parent.mkdir(exist_ok=True)
        output = log.open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            *options,
        ],
        cwd=root,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the app did not start")


def open_playground(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(f"() => !!({ANIMATION})", timeout=120_000)
    page.wait_for_selector(SCRIPT_IDLE)


def redraw(page, alpha: float) -> float:
    """Milliseconds from typing α into the first run's box until the new chart is drawn."""
    box = page.get_by_label("alpha (exact)").first
    draws = page.evaluate(DRAWS)
    box.fill(f"{alpha:.3f}")
    start = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(f"draws => ({DRAWS})() > draws", arg=draws, timeout=30_000)
    elapsed = (time.perf_counter() - start) * 1e3
    page.wait_for_selector(SCRIPT_IDLE)
    page.wait_for_timeout(500)  # let the page settle before the next change
    return elapsed


def alphas(repeats: int) -> list[float]:
    return [0.02 + 0.013 * i for i in range(repeats)]


def slider_to_redraw(page, url: str, repeats: int) -> list[float]:
    open_playground(page, url)
    return [redraw(page, alpha) for alpha in alphas(repeats)]


def scrubbing(page, url: str, repeats: int) -> list[float]:
    """Milliseconds from moving the scrubber until the points are drawn at the new step, at steps across the run."""
    open_playground(page, url)
    steps = int(page.locator(".descent-scrubber").get_attribute("max"))
    return page.evaluate(SCRUB, [(steps * (2 * i + 1)) // (2 * repeats) for i in range(repeats)])


def exploring(page, url: str, repeats: int) -> tuple[list[float], int]:
    """Milliseconds from moving the explorer's slider until the explored run's path is drawn anew, at values
    across the range; and the script runs that the moves started."""
    open_playground(page, url)
    page.get_by_text("Explore a setting").click()
    page.wait_for_selector(f"{EXPLORER} .descent-plot.js-plotly-plot", timeout=120_000)
    page.wait_for_selector(SCRIPT_IDLE)
    values = int(page.locator(f"{EXPLORER} .descent-scrubber").get_attribute("max")) + 1
    targets = [(values * (2 * i + 1)) // (2 * repeats) for i in range(repeats)]
    times, reruns = page.evaluate(EXPLORE_SCRUB, targets)
    page.get_by_text("Explore a setting").click()  # off again, as a fresh session would start
    page.wait_for_selector(SCRIPT_IDLE)
    return times, reruns


def page_load(page, url: str, link: str, drawn: str) -> float:
    """From a click on the page's link in the sidebar until `drawn` (a JavaScript test) holds."""
    open_playground(page, url)
    start = time.perf_counter()
    page.get_by_role("link", name=link).click()
    page.wait_for_function(drawn, timeout=120_000)
    page.wait_for_selector(SCRIPT_IDLE)
    return time.perf_counter() - start


def compare(browser, apps: dict[str, tuple[Path, str]], repeats: int) -> None:
    """The Playground's redraws in two apps, each named and given as (checkout, script), taking turns."""
    servers = {name: serve(root, script) for name, (root, script) in apps.items()}
    try:
        pages = {name: browser.new_page(viewport={"width": 1400, "height": 1000}) for name in apps}
        for title, path in REDRAWS:
            for name, page in pages.items():
                open_playground(page, servers[name][1] + path)
            times = {name: [] for name in apps}
            for i, alpha in enumerate(alphas(repeats)):
                for name in list(apps)[:: 1 if i % 2 else -1]:
                    times[name].append(redraw(pages[name], alpha))
            (ours, theirs), (our_name, their_name) = (statistics.median(times[name]) for name in apps), apps
            print(f"Playground, {title}: {our_name} {ours:.0f} ms, {their_name} {theirs:.0f} ms (medians)")
            print(f"  ratio {ours / theirs:.2f}")
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=10)


def first_chart(browser, url: str, script: str) -> tuple[float, dict[str, float]]:
    """Seconds from opening `url` in a fresh browser context, with nothing cached, until its first chart is drawn,
    and the marks of where the time went (FIRST_PAGE_MARKS), in seconds."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(f"({FIRST_PAGE_MARKS})({FIRST_CHART_DRAWN[script]})")
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(FIRST_CHART_DRAWN[script], timeout=120_000)
    elapsed = time.perf_counter() - start
    marks = page.evaluate("window.firstPageMarks") | page.evaluate(PLOTLY_JS_TIMING)
    context.close()
    return elapsed, {name: ms / 1e3 for name, ms in sorted(marks.items(), key=lambda mark: mark[1])}


def print_first_charts(title: str, visits: list[tuple[float, dict[str, float]]]) -> float:
    """The median time to the first chart over `visits`, printed with each visit's and the marks' medians."""
    median = statistics.median(elapsed for elapsed, _ in visits)
    print(f"{title}: median {median:.2f} s")
    print("  each:", ", ".join(f"{elapsed:.2f}" for elapsed, _ in visits))
    marks = {name: statistics.median(marks.get(name, math.nan) for _, marks in visits) for name in visits[0][1]}
    print("  marks (medians, s):", ", ".join(f"{name} {t:.2f}" for name, t in marks.items()))
    return median


def first_page(browser, repeats: int) -> None:
    """The Playground's first chart in a fresh browser against the bare page's: on warm servers, taking turns,
    then each on a server started afresh for the visit."""
    scripts = {"Playground": "app.py", "bare page": "bench/bare_page.py"}
    servers = {name: serve(ROOT, script) for name, script in scripts.items()}
    warm = {name: [] for name in scripts}
    try:
        for name, script in scripts.items():
            first_chart(browser, servers[name][1], script)  # the server's first page: imports, caches
        for i in range(repeats):
            for name in list(scripts)[:: 1 if i % 2 else -1]:
                warm[name].append(first_chart(browser, servers[name][1], scripts[name]))
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=10)
    fresh = {name: [] for name in scripts}
    for i in range(max(repeats // 3, 1)):
        for name in list(scripts)[:: 1 if i % 2 else -1]:
            server, url = serve(ROOT, scripts[name])
            try:
                fresh[name].append(first_chart(browser, url, scripts[name]))
            finally:
                server.terminate()
                server.wait(timeout=10)
    playground, floor = (
        print_first_charts(f"First chart, fresh browser, warm server, {name}", warm[name]) for name in scripts
    )
    print(f"  ratio {playground / floor:.2f} (goal ≤ 1.5)")
    playground, bare = (
        print_first_charts(f"First chart, server started afresh, {name}", fresh[name]) for name in scripts
    )
    print(f"  ratio to the bare page on a warm server {playground / floor:.2f} (goal ≤ 2), on a fresh one ", end="")
    print(f"{playground / bare:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    others = parser.add_mutually_exclusive_group()
    others.add_argument("--against", type=Path, help="another checkout of the app to compare the redraws with")
    others.add_argument("--floor", action="store_true", help="compare the redraws with a bare figure's")
    others.add_argument("--first-page", action="store_true", help="time a new visitor's first chart")
    others.add_argument("--explore", action="store_true", help="time only the explorer's slider")
    arguments = parser.parse_args()
    repeats = arguments.repeats
    if arguments.first_page:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            first_page(browser, repeats)
            browser.close()
        return
    if arguments.against or arguments.floor:
        if arguments.floor:
            other = {"bare figure": (ROOT, "bench/floor_app.py")}
        else:
            other = {str(arguments.against): (arguments.against, "app.py")}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            compare(browser, {"this checkout": (ROOT, "app.py"), **other}, repeats)
            browser.close()
        return
    server, url = serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for title, path in () if arguments.explore else REDRAWS:
                times = slider_to_redraw(page, url + path, repeats)
                print(f"Playground, {title}, slider change → redrawn: median {statistics.median(times):.0f} ms")
                print("  each:", ", ".join(f"{t:.0f}" for t in times))
                times = scrubbing(page, url + path, repeats)
                print(f"Playground, {title}, scrubber moved → drawn: median {statistics.median(times):.0f} ms")
                print("  each:", ", ".join(f"{t:.0f}" for t in times))
            for title, path in EXPLORED:
                times, reruns = exploring(page, url + path, repeats)
                print(
                    f"Playground, explore a setting, {title}, slider moved → path drawn: "
                    f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms, {reruns} reruns"
                )
                print("  each:", ", ".join(f"{t:.0f}" for t in times))
            if arguments.explore:
                return
            sweep_drawn = f"() => ({HEATMAPS})() >= 4"
            print(f"Sweep page, default maps, nothing cached: {page_load(page, url, 'Sweep', sweep_drawn):.2f} s")
            print(f"Sweep page, default maps, cached:         {page_load(page, url, 'Sweep', sweep_drawn):.2f} s")
            six_charts = f"() => {CHARTS}.length === 6"
            print(f"Article page, six scenes drawn:           {page_load(page, url, 'Article', six_charts):.2f} s")
            theory_drawn = f"() => {CHARTS}.length >= 1"
            print(f"Theory page, drawn:                       {page_load(page, url, 'Theory', theory_drawn):.2f} s")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
