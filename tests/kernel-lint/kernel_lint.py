#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks every shipped profile against real Debian kernels and writes the report table.

Usage: kernel_lint.py --binary SUSPENDFIX --shim LIBFAKEKERNEL [--fetch] [--cache DIR]
                      (--check REPORT | --write REPORT)

For each profile and each kernel fetch-kernels.sh summarised (README.md beside this file):
the ids it matches are claimed by the modules it acts on, or it says why not; every module it
names exists in a kernel inside its range, or is marked out_of_tree; every other id the acting
driver claims is matched (here or by another profile) or in left_out with a reason; and the real
`suspendfix detect` plans on that kernel, with every module that could hold a named one loaded,
and unloads every holder before what it holds.

Exit status: 0 clean, 1 problems (listed on stderr) or a stale report, 2 usage,
77 the kernels could not be fetched or a tool is missing (CTest SKIP_RETURN_CODE).
"""

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the build host
    print("kernel_lint.py: python3-yaml (PyYAML) is not installed, skipping", file=sys.stderr)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

from kernel_model import Kernel, in_range  # noqa: E402
from plan_runner import run_detect  # noqa: E402
from profile_checks import ProfileCheck  # noqa: E402
from report import render  # noqa: E402


def load_profiles(directory):
    out = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".yaml"):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as stream:
                    profile = yaml.safe_load(stream)
                out.append((os.path.relpath(path, directory).replace(os.sep, "/"), profile))
    return sorted(out, key=lambda item: item[0])


def first_match_case(cases_dir, profile_id):
    path = os.path.join(cases_dir, f"{profile_id}.yaml")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as stream:
        data = yaml.safe_load(stream)
    return next((c for c in data.get("cases") or [] if c.get("expect") == "match"), None)


def fetch(cache):
    result = subprocess.run([os.path.join(HERE, "fetch-kernels.sh"), cache],
                            stdout=subprocess.PIPE, check=False)
    if result.returncode == 77:
        print("kernel_lint.py: SKIP: the kernels could not be fetched (see above); nothing was "
              "checked", file=sys.stderr)
        sys.exit(77)
    if result.returncode != 0:
        print("kernel_lint.py: fetch-kernels.sh failed", file=sys.stderr)
        sys.exit(1)
    return result.stdout.decode().split()


def acts(result, profile_id):
    """True when the plan on this kernel does something for the profile."""
    plan = result["report"]["plan"]
    return any(profile_id in step["profiles"] and step["decision"] == "unload"
               for step in plan["devices"] + plan["modules"])


def check_plan(check, kernel, result):
    """Problems in one detect run: the match, the holders, an empty plan."""
    report = result["report"]
    profile_id = check.profile["id"]
    entry = next((m for m in report["matches"] if m["id"] == profile_id), None)
    expected = in_range(kernel.release, check.range)
    if entry is None:
        check.problems.append(f"{kernel.release}: the case machine does not match the profile")
        return
    if bool(entry["applies"]) != expected:
        check.problems.append(f"{kernel.release}: applies is {entry['applies']}, the range says {expected}")
    planned = report["plan"]["modules"]
    order = [m["name"] for m in planned]
    for index, module in enumerate(planned):
        if module["decision"] != "unload":
            continue
        for holder in result["holders"].get(module["name"], []):
            if holder not in order[:index]:
                check.problems.append(
                    f"{kernel.release}: the plan unloads {module['name']} before its holder {holder}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--shim", required=True)
    parser.add_argument("--profiles", default=os.path.join(SOURCE, "profiles"))
    parser.add_argument("--cases", default=os.path.join(SOURCE, "tests", "data", "profile-cases"))
    parser.add_argument("--cache", default=os.environ.get("SUSPENDFIX_KERNEL_CACHE") or
                        os.path.join(os.path.expanduser("~"), ".cache", "suspendfix-kernels"))
    parser.add_argument("--fetch", action="store_true", help="run fetch-kernels.sh first")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", metavar="REPORT", help="fail when REPORT is out of date")
    mode.add_argument("--write", metavar="REPORT", help="write the report")
    args = parser.parse_args()
    if not shutil.which("umockdev-run"):
        print("kernel_lint.py: SKIP: umockdev-run is not installed", file=sys.stderr)
        return 77

    releases = fetch(args.cache) if args.fetch else sorted(
        os.listdir(os.path.join(args.cache, "summary")))
    kernels = []
    for release in releases:
        summary = os.path.join(args.cache, "summary", release)
        if not os.path.exists(os.path.join(summary, ".complete")):
            print(f"kernel_lint.py: SKIP: no summary of {release} in {args.cache} "
                  "(run fetch-kernels.sh)", file=sys.stderr)
            return 77
        kernels.append(Kernel(summary))
    kernels.sort(key=lambda k: k.release)
    if not kernels:
        print(f"kernel_lint.py: SKIP: no kernel summaries in {args.cache}", file=sys.stderr)
        return 77

    profiles = load_profiles(args.profiles)
    all_profiles = [p for _r, p in profiles]
    checks, runs = [], {}
    # One detect run per profile and kernel; they are independent, so they run side by side.
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for relative, profile in profiles:
            case = first_match_case(args.cases, profile["id"])
            check = ProfileCheck(profile, relative, case or {}, kernels, all_profiles)
            checks.append(check)
            if case is None:
                check.problems.append("no case file with a match case to build the machine from")
                continue
            check.check_ids()
            check.check_modules()
            check.check_family()
            for kernel in kernels:
                runs[(relative, kernel.release)] = pool.submit(
                    run_detect, os.path.abspath(args.binary), os.path.abspath(args.shim), kernel,
                    profile, relative, case, args.profiles)
    for check in checks:
        check.plans = {}
        for kernel in kernels:
            future = runs.get((check.relative, kernel.release))
            if future is None:
                continue
            result, error = future.result()
            if error:
                check.problems.append(f"{kernel.release}: {error}")
                continue
            check.plans[kernel.release] = result
            check_plan(check, kernel, result)
        in_range_plans = [r for k, r in check.plans.items() if in_range(k, check.range)]
        if in_range_plans and not any(acts(r, check.profile["id"]) for r in in_range_plans):
            check.problems.append("the plan does nothing on every checked kernel in its range")

    problems = [f"{c.relative}: {p}" for c in checks for p in c.problems]
    for problem in problems:
        print(problem, file=sys.stderr)
    text = render(checks, kernels)
    status = 1 if problems else 0
    if args.write:
        with open(args.write, "w", encoding="utf-8") as stream:
            stream.write(text)
    else:
        try:
            with open(args.check, encoding="utf-8") as stream:
                current = stream.read()
        except OSError:
            current = None
        if current != text:
            print(f"{args.check} is out of date; regenerate it with kernel_lint.py --write "
                  f"{args.check} (README.md beside this script)", file=sys.stderr)
            status = 1
    print(f"{len(checks)} profile(s) on {', '.join(k.release for k in kernels)}: "
          f"{len(problems)} problem(s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
