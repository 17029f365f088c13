"""The load bench's simulated students (bench/load.py) against the real app: a few of them at once, each
change a widget change on Streamlit's own protocol, and each change's script finishing with the new value."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor

from bench.load import Student, holds, link

CHANGES = (("alpha (exact)", "r1.alpha", 0.0123), ("Steps", "steps", 42), ("alpha (exact)", "r1.alpha", 0.0456))


async def student_visit(url: str, seed: int) -> list[tuple[bool, list[str], bool]]:
    """Open a random Playground link and make each change: (finished, exceptions, URL holds the value) each."""
    student = Student(url, link(random.Random(seed)))
    page = await student.open()
    seen = [(page.finished, page.exceptions, True)]
    for label, name, value in CHANGES:
        page = await student.change(label, value * (1 + seed))
        seen.append((page.finished, page.exceptions, holds(page, name, value * (1 + seed))))
    await student.close()
    return seen


def test_three_students_at_once_each_see_their_own_changes(served_app):
    async def class_of_three():
        return await asyncio.wait_for(asyncio.gather(*(student_visit(served_app, seed) for seed in range(3))), 300)

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        visits = thread.submit(lambda: asyncio.run(class_of_three())).result()
    for seen in visits:
        assert seen == [(True, [], True)] * (1 + len(CHANGES))
