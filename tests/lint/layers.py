#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The layer picture of README.md ("Hacking and tests"), checked on every #include in src/.

Each unit may include only units of the layers it names here; <libudev.h> is seen by
hardware/ alone and <libkmod.h> by modules/ alone. A violation names file, line and the rule.
"""
import pathlib
import re
import sys

SRC = pathlib.Path(__file__).resolve().parents[2] / "src"

# Top-level files that are not the base layer.
TOP_LEVEL_UNITS = {"executor": "executor", "executor_post": "executor", "main": "main"}

# unit -> the units it may include besides itself and "base".
ALLOWED = {
    "base": set(),
    "hardware": set(),
    "modules": set(),
    "sleep": {"hardware", "modules"},
    "profiles": {"sleep", "hardware", "modules"},
    "planner": {"profiles", "sleep", "hardware", "modules"},
    "config": {"planner", "profiles", "sleep", "hardware", "modules"},
    "executor": {"planner", "profiles", "sleep", "hardware", "modules"},
    "output": {"planner", "profiles", "sleep", "hardware", "modules"},
    "diagnose": {"output", "profiles", "sleep", "hardware", "modules"},
    "sleeptest": {"diagnose", "output", "planner", "profiles", "sleep", "hardware", "modules"},
    "cli": {"sleeptest", "diagnose", "output", "executor", "config", "planner", "profiles",
            "sleep", "hardware", "modules"},
    "main": {"cli"},
}
EDGE = {"libudev.h": "hardware", "libkmod.h": "modules"}
# Adapters at the edge that live beside the interface they implement, each with its reason.
EDGE_ADAPTERS = {
    # diagnose's CulpritSource over libudev: name -> device -> driver -> module for the log's
    # device names; the interface and its fake are diagnose's own.
    "diagnose/udev_culprit_source.cpp": "libudev.h",
}


def unit_of(path):
    relative = path.relative_to(SRC)
    if len(relative.parts) == 1:
        return TOP_LEVEL_UNITS.get(relative.name.split(".")[0], "base")
    return relative.parts[0]


def main():
    problems = []
    files = sorted(p for p in SRC.rglob("*") if p.suffix in (".cpp", ".hpp", ".in"))
    for path in files:
        unit = unit_of(path)
        if unit not in ALLOWED:
            problems.append(f"{path}:1: unit '{unit}' is not in the layer picture "
                            f"(tests/lint/layers.py, README.md 'Hacking and tests')")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
            if not match:
                continue
            target = match.group(2)
            if match.group(1) == "<":
                owner = EDGE.get(target)
                adapter = EDGE_ADAPTERS.get(str(path.relative_to(SRC))) == target
                if owner and unit != owner and not adapter:
                    problems.append(f"{path}:{number}: <{target}> belongs to {owner}/ alone")
                continue
            target_unit = unit_of(SRC / target) if (SRC / target).exists() else "base"
            if target_unit in (unit, "base"):
                continue
            if target_unit not in ALLOWED[unit]:
                problems.append(f"{path}:{number}: {unit} may not include {target} "
                                f"({target_unit} is not below {unit})")
    for problem in problems:
        print(problem)
    print(f"{len(files)} files, {len(problems)} layer violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
