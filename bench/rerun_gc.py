"""What Streamlit's garbage collection after every rerun costs the server. Prints, asserts nothing.

    .venv/bin/python -m bench.rerun_gc [--changes N]

Serves the app twice, with `runner.postScriptGC` on (Streamlit's default: `gc.collect(2)` after every
rerun) and off (this app's .streamlit/config.toml), and in a real Chromium types a new α into the
Playground of each in turn. For each change it reads the server process's CPU time (user + system, from
/proc) before and after the redraw, and prints the median CPU per rerun, and the server's resident memory
as the changes go on, which shows whether it stays bounded without the collections.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.browser import CHROMIUM, CHROMIUM_FLAGS, alphas, open_playground, redraw, serve

TICKS = os.sysconf("SC_CLK_TCK")
SETTINGS = {"postScriptGC on (Streamlit's default)": "true", "postScriptGC off (config.toml)": "false"}


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime and stime, fields 14 and 15 of stat


def resident_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60)
    changes = parser.parse_args().changes
    servers = {name: serve(options=("--runner.postScriptGC", value)) for name, value in SETTINGS.items()}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            pages = {name: browser.new_page(viewport={"width": 1400, "height": 1000}) for name in SETTINGS}
            for name, page in pages.items():
                open_playground(page, servers[name][1])
            cpu = {name: [] for name in SETTINGS}
            memory = {name: [resident_mib(servers[name][0].pid)] for name in SETTINGS}
            for i, alpha in enumerate(alphas(changes)):
                for name in list(SETTINGS)[:: 1 if i % 2 else -1]:  # taking turns, against the machine's drift
                    pid = servers[name][0].pid
                    before = cpu_seconds(pid)
                    redraw(pages[name], alpha)
                    cpu[name].append(cpu_seconds(pid) - before)
                    if (i + 1) % max(changes // 4, 1) == 0:
                        memory[name].append(resident_mib(pid))
            browser.close()
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=10)
    for name in SETTINGS:
        print(f"{name}: server CPU per rerun, median {statistics.median(cpu[name]) * 1e3:.0f} ms", end="")
        print(f" (quartiles {', '.join(f'{q * 1e3:.0f}' for q in statistics.quantiles(cpu[name], n=4))} ms)")
        print(f"  resident memory, at the start and every {max(changes // 4, 1)} changes:", end=" ")
        print(", ".join(f"{m:.0f}" for m in memory[name]), "MiB")


if __name__ == "__main__":
    main()
