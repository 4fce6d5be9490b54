#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""How much code a command makes QEMU's TCG translate, per shared object.

With address-space randomisation on, QEMU 7.2's TCG translates the code of every new process
again (bench/vm/README.md, "Process start under TCG"), so under the emulator a process start
costs about in proportion to the distinct code it runs, not to the instructions it executes.
This script counts that code exactly: it runs each command under qemu-user (package
qemu-user), whose translator is the same TCG, with `-d in_asm,nochain`, and attributes every
translation block (one per distinct entry point, once per process) to its shared object,
which LD_DEBUG=files names. No guest and no timing are involved: the counts are the same on
every run of the same binaries.

    bench/vm/tcg_blocks.py [--build DIR] [--json FILE]

It runs on the host's /sys with the source tree's profiles; the host has no NEC controller,
so the hook's plan is empty there and the guest's pre runs somewhat more code (the match, the
plan, the write-ahead record).
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def commands(build):
    binary = os.path.join(build, "suspendfix")
    profiles = os.path.join(TOP, "profiles")
    return [
        ("kmod --version (a hand-written hook's tool)", [shutil.which("kmod") or "/usr/bin/kmod", "--version"]),
        ("suspendfix --version", [binary, "--version"]),
        ("suspendfix hook --dry-run ... pre suspend",
         [binary, "hook", "--dry-run", "--profiles", profiles, "systemd-sleep", "pre", "suspend"]),
        ("suspendfix detect", [binary, "detect", "--profiles", profiles, "--no-hwdb"]),
    ]


def load_map(ld_debug_text):
    """(start, end, name) of every object the guest's ld.so loaded. qemu-user's own ld.so
    prints too, with host addresses; the guest's are told apart by being in no host map."""
    objects, name = [], None
    for line in ld_debug_text.splitlines():
        m = re.search(r"file=(\S+) \[0\];\s+generating link map", line)
        if m:
            name = m.group(1)
            continue
        m = re.search(r"base: (0x[0-9a-f]+)\s+size: (0x[0-9a-f]+)", line)
        if m and name:
            base, size = int(m.group(1), 16), int(m.group(2), 16)
            objects.append((base, base + size, name))
            name = None
    return objects


def page_map(log_text):
    """The executable mappings qemu-user logged (-d page): the main program and ld.so, which
    LD_DEBUG does not place."""
    spans = []
    for line in log_text.splitlines():
        m = re.match(r"([0-9a-f]{16})-([0-9a-f]{16}) [0-9a-f]{16} r-x", line)
        if m:
            spans.append((int(m.group(1), 16), int(m.group(2), 16)))
    return sorted(set(spans))


def count(argv, cache):
    with tempfile.TemporaryDirectory() as scratch:
        log = os.path.join(scratch, "tcg.log")
        env = dict(os.environ, LD_DEBUG="files", LC_ALL="C", SUSPENDFIX_CACHE_DIR=cache)
        run = subprocess.run(["qemu-x86_64", "-d", "in_asm,nochain,page", "-D", log] + argv,
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, errors="replace", timeout=600)
        text = open(log, errors="replace").read()
    # The guest's own objects; host addresses (qemu's ld.so) are far above the guest's.
    objects = [o for o in load_map(run.stderr) if o[0] < 0x7f0000000000]
    spans = page_map(text)
    # The first executable span is the program; the one right after the program's is ld.so.
    named = list(objects)
    if spans:
        named.append((spans[0][0], spans[0][1], "(the program)"))
    library_starts = {o[0] for o in objects}
    for start, end in spans[1:]:
        if not any(o[0] <= start < o[1] for o in objects) and start not in library_starts:
            named.append((start, end, "ld.so"))
            break
    blocks, instructions = collections.Counter(), collections.Counter()
    current = None
    for line in text.splitlines():
        if line.startswith("IN:"):
            current = "new"
            continue
        m = re.match(r"0x([0-9a-f]+):", line)
        if not m or current is None:
            continue
        address = int(m.group(1), 16)
        if current == "new":
            current = next((n for s, e, n in named if s <= address < e), "other")
            blocks[current] += 1
        instructions[current] += 1
    return run.returncode, blocks, instructions


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(TOP, "build"))
    parser.add_argument("--json", help="also write the counts here")
    args = parser.parse_args()
    if not shutil.which("qemu-x86_64"):
        sys.exit("tcg_blocks: qemu-x86_64 is missing (Debian: apt-get install qemu-user)")
    if not os.access(os.path.join(args.build, "suspendfix"), os.X_OK):
        sys.exit(f"tcg_blocks: no {args.build}/suspendfix; build it first (or give --build)")
    results = {}
    baseline = None
    # The parsed-profile cache, filled once as on an installed system (where pre never
    # parses YAML unless a profile changed).
    cache = tempfile.mkdtemp(prefix="tcg-blocks-cache-")
    subprocess.run([os.path.join(args.build, "suspendfix"), "detect", "--profiles",
                    os.path.join(TOP, "profiles"), "--no-hwdb"],
                   env=dict(os.environ, SUSPENDFIX_CACHE_DIR=cache), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    for label, argv in commands(args.build):
        status, blocks, instructions = count(argv, cache)
        total = sum(blocks.values())
        baseline = baseline or total
        results[label] = {"status": status, "blocks": total,
                          "instructions": sum(instructions.values()),
                          "by_object": dict(blocks.most_common())}
        print(f"{label}: {total} translation blocks, {sum(instructions.values())} distinct "
              f"instructions, {total / baseline:.2f}x the first (exit {status})")
        for name, n in blocks.most_common(8):
            print(f"  {n:6d}  {os.path.basename(name)}")
    shutil.rmtree(cache, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
