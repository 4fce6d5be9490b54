#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""time-report.py TIMES.tsv ARTEFACT_DIR WORK_DIR - where a run-smoke.sh run's time went.

TIMES.tsv has one line per preparation step, image build and VM job: kind, name, start, end
(seconds since run-smoke.sh started), exit status. For each VM the group's summary.json
(ARTEFACT_DIR/<group>.summary.json, written by run-vm.py) adds the boot time (QEMU start ->
@@BOOTED) and every scenario's host-clock time; for each image build, build-image.sh's last
line (WORK_DIR/image:<flavour>.err) adds its split. Prints a plain table; never fails the run.
"""
import json
import os
import re
import sys


def main():
    times, art, work = sys.argv[1:4]
    rows = []
    with open(times) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4:
                rows.append(parts[:5])
    if not rows:
        return 0
    wall = max(float(r[3]) for r in rows)
    print(f"==== where the time went ({wall:.0f} s from the start of run-smoke.sh)")
    steps = [r for r in rows if r[0] == "step"]
    if steps:
        print("  preparation: " + ", ".join(
            f"{r[1]} {float(r[3]) - float(r[2]):.1f} s" for r in steps))
    for kind, name, start, end, rc in (r + [""] * (5 - len(r)) for r in rows):
        if kind == "step":
            continue
        span = f"{float(end) - float(start):6.1f} s  [{float(start):6.1f} .. {float(end):6.1f}]"
        if kind == "image":
            detail = ""
            err = os.path.join(work, f"image:{name}.err")
            if os.path.exists(err):
                with open(err) as f:
                    last = [ln for ln in f if "build-image" in ln]
                m = re.search(r"(built|reusing) .*?(mmdebstrap.*)?$", last[-1]) if last else None
                if m:
                    detail = m.group(2) or "cached"
            print(f"  image {name:<10} {span}  rc={rc}  {detail}")
            continue
        summary = os.path.join(art, f"{name}.summary.json")
        boot, scen = "?", []
        if os.path.exists(summary):
            with open(summary) as f:
                data = json.load(f)
            if data.get("boot_seconds") is not None:
                boot = f"{data['boot_seconds']:.1f} s"
            for sname, g in data.get("scenarios", {}).items():
                for ht in g.get("host_time", []):
                    tname, _, secs = ht.rpartition(" ")
                    if tname == f"scenario.{sname}":
                        scen.append(f"{sname} {float(secs):.1f}")
        print(f"  vm    {name:<10} {span}  rc={rc}  boot {boot}")
        if scen:
            print("        scenarios (s): " + ", ".join(scen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
