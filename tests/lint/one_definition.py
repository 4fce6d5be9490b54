#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One definition per name: two classes or structs of the same name in namespace suspendfix
(outside an anonymous namespace) are an ODR violation. The linker keeps one of their inline
members for both, so the program frees with the other's destructor. This happened once
(sleeptest's SystemFacts and hardware's SystemFacts), and only the hardened Debian build
crashed. Every top-level class and struct in src/ is listed with its file and line.
"""
import pathlib
import re
import sys

SRC = pathlib.Path(__file__).resolve().parents[2] / "src"


def definitions(path):
    """(name, line) of each class or struct defined at namespace level, not in namespace {}."""
    found, anonymous_depth, depth = [], [], 0
    for number, line in enumerate(path.read_text().splitlines(), 1):
        stripped = line.split("//")[0]
        if re.match(r"\s*namespace\s*\{", stripped):
            anonymous_depth.append(depth)
        match = re.match(r"(?:class|struct)\s+(?:\[\[\w+\]\]\s+)?(\w+)(?:\s+final)?\s*(?::[^;{]*)?\{",
                         stripped)
        if match and not anonymous_depth and line[0] not in " \t":
            found.append((match.group(1), number))
        depth += stripped.count("{") - stripped.count("}")
        while anonymous_depth and depth <= anonymous_depth[-1]:
            anonymous_depth.pop()
    return found


def main():
    seen, problems = {}, []
    files = sorted(p for p in SRC.rglob("*") if p.suffix in (".cpp", ".hpp"))
    for path in files:
        for name, number in definitions(path):
            place = f"{path.relative_to(SRC.parent)}:{number}"
            if name in seen:
                problems.append(f"{place}: '{name}' is also defined at {seen[name]}: "
                                "rename one, or move it into an anonymous namespace")
            else:
                seen[name] = place
    for problem in problems:
        print(problem)
    print(f"{len(files)} files, {len(seen)} names, {len(problems)} defined twice")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
