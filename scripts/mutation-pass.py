#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Mutation pass: break the code one rule at a time and check that a test notices.

Reads tests/mutation/mutants.txt, and for each mutant: replaces the line in a scratch copy
of the source file, rebuilds the unit-test binary (and, with --integration, the whole build),
runs the tests, and restores the file whatever happens. A mutant is "caught" when at least
one test fails or the build breaks on purpose-free code (reported apart); "survived" means
no test holds that rule. Exit status 1 when a mutant survived or its line is gone. A mutant
whose reason ends in "(integration)" runs only with --integration.

    scripts/mutation-pass.py [--build build] [--integration] [--only WORD]
"""
import argparse
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def read_mutants(path):
    mutants, current, why = [], {}, ""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("# "):
            why = line[2:]
            continue
        if not line.strip():
            continue
        key, sep, value = line.partition(": ")
        if not sep or key not in ("file", "old", "new"):
            sys.exit(f"{path}:{number}: expected 'file: ', 'old: ' or 'new: ', got {line!r}")
        if key == "file":
            current = {"file": value, "why": why, "line": number}
        else:
            if "file" not in current:
                sys.exit(f"{path}:{number}: '{key}' before any 'file'")
            current[key] = value
            if key == "new":
                if "old" not in current:
                    sys.exit(f"{path}:{number}: 'new' before 'old'")
                mutants.append(current)
                current = {}
    return mutants


def run(command, cwd):
    return subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build", help="a configured build directory")
    parser.add_argument("--integration", action="store_true",
                        help="also run the integration label (slower)")
    parser.add_argument("--only", help="run only mutants whose file or reason has this word")
    parser.add_argument("--check", action="store_true",
                        help="only check that every mutant's line is still in its file, once")
    args = parser.parse_args()
    build = (ROOT / args.build).resolve()
    mutants = read_mutants(ROOT / "tests/mutation/mutants.txt")
    if args.only:
        mutants = [m for m in mutants if args.only in m["file"] or args.only in m["why"]]
    if args.check:
        stale = 0
        for mutant in mutants:
            count = (ROOT / mutant["file"]).read_text().split("\n").count(mutant["old"])
            if count != 1:
                stale += 1
                print(f"tests/mutation/mutants.txt:{mutant['line']}: the 'old' line is in "
                      f"{mutant['file']} {count} times, not once: update the mutant")
        print(f"{len(mutants) - stale}/{len(mutants)} mutants apply")
        return 1 if stale else 0
    if not args.integration:
        # A mutant whose reason ends in "(integration)" only the integration label can catch.
        left = [m for m in mutants if m["why"].endswith("(integration)")]
        mutants = [m for m in mutants if not m["why"].endswith("(integration)")]
        if left:
            print(f"{len(left)} mutant(s) marked (integration) left out: run with --integration")
    labels = "unit|integration" if args.integration else "unit"
    # The unit label needs only its binary; integration runs the program too.
    targets = [] if args.integration else ["--target", "suspendfix_tests"]
    results = []
    for mutant in mutants:
        source = ROOT / mutant["file"]
        original = source.read_text()
        lines = original.split("\n")
        hits = [i for i, text in enumerate(lines) if text == mutant["old"]]
        if len(hits) != 1:
            results.append(("stale", mutant, f"'old' line found {len(hits)} times"))
            continue
        lines[hits[0]] = mutant["new"]
        started = time.monotonic()
        try:
            source.write_text("\n".join(lines))
            built = run(["cmake", "--build", str(build), "-j2"] + targets, ROOT)
            if built.returncode != 0:
                verdict, detail = "caught", "the build breaks"
            else:
                tested = run(["ctest", "-L", labels, "-j2", "--output-on-failure"], build)
                # ctest's closing list: "\t 12 - Suite.Name (Failed)"
                failed = [l.split(" - ", 1)[1].rsplit(" (", 1)[0]
                          for l in tested.stdout.splitlines() if " - " in l and "(Failed)" in l]
                if tested.returncode != 0:
                    verdict, detail = "caught", ", ".join(failed[:3]) or "tests failed"
                else:
                    verdict, detail = "survived", "no test failed"
        finally:
            source.write_text(original)
        results.append((verdict, mutant, f"{detail} ({time.monotonic() - started:.0f} s)"))
        print(f"{verdict:8} {mutant['file']}: {mutant['why']}: {results[-1][2]}", flush=True)
    run(["cmake", "--build", str(build), "-j2"], ROOT)  # back to the real code
    caught = sum(1 for r in results if r[0] == "caught")
    print(f"\n{caught}/{len(results)} mutants caught")
    for verdict, mutant, detail in results:
        if verdict != "caught":
            print(f"  {verdict}: tests/mutation/mutants.txt:{mutant['line']}: {mutant['why']}"
                  f" ({detail})")
    return 0 if caught == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
