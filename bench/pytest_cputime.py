"""pytest plugin for bench/RESULTS.md's "test suite time" table: CPU seconds per test module.

Load with ``-p bench.pytest_cputime`` (from the repo root). Each test's CPU time is the growth of
getrusage(SELF) + getrusage(CHILDREN) (user + system) across its setup, call and teardown, so compiler
and build subprocesses the test waited for count; a session fixture's cost lands on the first test that
uses it. Every process (xdist worker or the single process) appends one JSON line per test to the file
named by TT_BUILD_CPUTIME_OUT (default: .cputime.jsonl); ``python bench/pytest_cputime.py FILE`` prints
the per-module table.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import defaultdict

_START: dict[str, tuple[float, float]] = {}


def _cpu() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def pytest_configure(config):
    global _CONTROLLER  # noqa: PLW0603
    # the xdist controller replays its workers' reports: only the processes running tests record
    _CONTROLLER = config.getoption("dist", "no") != "no" and not hasattr(config, "workerinput")


_CONTROLLER = False


def pytest_runtest_logstart(nodeid, location):
    if _CONTROLLER:
        return
    _START[nodeid] = (_cpu(), time.monotonic())


def pytest_runtest_logfinish(nodeid, location):
    cpu0, wall0 = _START.pop(nodeid, (None, None))
    if cpu0 is None:
        return
    record = {"test": nodeid, "cpu": _cpu() - cpu0, "wall": time.monotonic() - wall0,
              "worker": os.environ.get("PYTEST_XDIST_WORKER", "main")}
    with open(os.environ.get("TT_BUILD_CPUTIME_OUT", ".cputime.jsonl"), "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


def main(path: str) -> None:
    cpu: dict[str, float] = defaultdict(float)
    wall: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    with open(path, encoding="utf-8") as records:
        lines = records.readlines()
    xdist = any('"worker": "gw' in line for line in lines)
    if True:
        for line in lines:
            record = json.loads(line)
            if record["worker"] == "main" and xdist:
                continue  # the xdist controller replays its workers' reports: count them once
            module = record["test"].split("::")[0]
            cpu[module] += record["cpu"]
            wall[module] += record["wall"]
            count[module] += 1
    print(f"| {'module':45} | tests | CPU s | wall s |")
    print(f"|{'-' * 47}|------:|------:|-------:|")
    for module in sorted(cpu, key=cpu.get, reverse=True):
        print(f"| {module:45} | {count[module]:5} | {cpu[module]:5.0f} | {wall[module]:6.0f} |")
    print(f"| {'total':45} | {sum(count.values()):5} | {sum(cpu.values()):5.0f} | {sum(wall.values()):6.0f} |")


if __name__ == "__main__":
    main(sys.argv[1])
