#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Per-label test times of the last ctest run in BUILD (scripts/test.sh prints them).

Reads Testing/Temporary/LastTest.log (times) and `ctest --show-only=json-v1` (labels), so
it needs no ctest options beyond what the run used.
"""
import json
import re
import subprocess
import sys
from pathlib import Path


def main() -> int:
    build = Path(sys.argv[1])
    log = build / "Testing" / "Temporary" / "LastTest.log"
    if not log.is_file():
        return 0
    times: dict[str, float] = {}
    name = None
    for line in log.read_text(errors="replace").splitlines():
        match = re.match(r'^\d+/\d+ Test: (.+)$', line)
        if match:
            name = match.group(1)
        match = re.match(r'^Test time = +([0-9.]+) sec', line)
        if name and match:
            times[name] = float(match.group(1))
    listing = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build, capture_output=True,
                             text=True, check=False)
    if listing.returncode != 0:
        return 0
    labels: dict[str, list[float]] = {}
    for test in json.loads(listing.stdout).get("tests", []):
        if test["name"] not in times:
            continue
        test_labels = ["(none)"]
        for prop in test.get("properties", []):
            if prop["name"] == "LABELS":
                test_labels = prop["value"]
        for label in test_labels:
            labels.setdefault(label, []).append(times[test["name"]])
    print(f"{'label':<12} {'tests':>5} {'sum':>9} {'slowest':>9}")
    for label in sorted(labels, key=lambda item: -sum(labels[item])):
        values = labels[label]
        print(f"{label:<12} {len(values):>5} {sum(values):>8.1f}s {max(values):>8.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
