#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Prints the summary table of bench/run.sh from the files it left in its work directory.

Usage: summary.py WORKDIR
"""

import json
import os
import re
import sys

TARGET_10K_MS = 150.0
TARGET_DETECT_OVER_LSPCI = 3.0


def load_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def read_text(path, default=""):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return default


def ms(value):
    if value is None:
        return "n/a"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 1:
        return f"{value:.1f} ms"
    return f"{value * 1000:.1f} us"


def timings(path):
    """name -> (median wall seconds, mean user + system seconds or None), from hyperfine's JSON
    export (or run.sh's loop, which has no CPU times)."""
    data = load_json(path)
    if not data:
        return {}
    out = {}
    for result in data.get("results", []):
        cpu = result["user"] + result["system"] if "user" in result and "system" in result else None
        out[result["command"]] = (result["median"], cpu)
    return out


def ratio_text(times, a, b):
    """'wall ratio', and the CPU ratio as a note."""
    wall = times[a][0] / times[b][0]
    cpu = times[a][1] / times[b][1] if times[a][1] and times[b][1] else None
    return f"{wall:.2f}", (f"cpu (user+system) {cpu:.2f}" if cpu else "")


LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$")


def callgrind_entries(path):
    entries = []
    total = 0
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                match = LINE.match(line)
                if not match:
                    continue
                cost, name = int(match.group(1).replace(",", "")), match.group(2)
                if name.startswith("PROGRAM TOTALS"):
                    total = cost
                elif not name.startswith("=>"):
                    entries.append((cost, name))
    except OSError:
        return 0, []
    return total, entries


def inclusive(entries, pattern):
    """The largest inclusive cost of a function matching pattern, recursion cycles left out."""
    costs = [cost for cost, name in entries
             if re.search(pattern, name) and "'2" not in name.split(" [")[0]]
    return max(costs, default=0)


def self_by_object(entries):
    objects = {}
    for cost, name in entries:
        found = re.search(r"\[([^\]]+)\]\s*$", name)
        obj = os.path.basename(found.group(1)) if found else "?"
        objects[obj] = objects.get(obj, 0) + cost
    return sorted(objects.items(), key=lambda item: -item[1])


def row(label, value, note=""):
    print(f"  {label:<58} {value:>14}  {note}")


def main():
    work = sys.argv[1]
    bench = load_json(os.path.join(work, "bench.json")) or {}
    nopreload = load_json(os.path.join(work, "bench-nopreload.json")) or {}
    databases = bench.get("databases", {})
    small, large = databases.get("1k", {}).get("stages", {}), databases.get("10k", {}).get("stages", {})

    print("\n== Summary (medians; ratios are between runs of the same process or script)")
    print(read_text(os.path.join(work, "host.txt")))
    print()

    def stage(stages, name, key="median_ms"):
        return stages.get(name, {}).get(key)

    total_small, total_large = stage(small, "total"), stage(large, "total")
    cpu_small, cpu_large = stage(small, "total", "cpu_median_ms"), stage(large, "total", "cpu_median_ms")
    if total_small and total_large:
        row("1,000 profiles: load + index + match, in process (wall)", ms(total_small),
            f"cpu {ms(cpu_small)}")
        verdict = "met" if total_large < TARGET_10K_MS else f"MISSED, {total_large / TARGET_10K_MS:.1f}x over"
        row("10,000 profiles: load + index + match, in process (wall)", ms(total_large),
            f"cpu {ms(cpu_large)}; target < {TARGET_10K_MS:.0f} ms: {verdict}")
        row("  ratio 10,000 / 1,000 (load + index + match)", f"{total_large / total_small:.2f}",
            f"cpu {cpu_large / cpu_small:.2f}; the files are 10x")
        cached_small, cached_large = stage(small, "cached total"), stage(large, "cached total")
        if cached_small and cached_large:
            verdict = "met" if cached_large < TARGET_10K_MS else f"MISSED, {cached_large / TARGET_10K_MS:.1f}x over"
            row("10,000 profiles, parsed database cached: load + index + match", ms(cached_large),
                f"cpu {ms(stage(large, 'cached total', 'cpu_median_ms'))}; target < {TARGET_10K_MS:.0f} ms: "
                f"{verdict}")
            row("  ratio 10,000 / 1,000, cached", f"{cached_large / cached_small:.2f}",
                f"{ms(cached_small)} -> {ms(cached_large)}")
        for name in ("load", "index", "match"):
            a, b = stage(small, name), stage(large, name)
            if a and b:
                row(f"  {name}: 1,000 -> 10,000 profiles", f"{ms(a)} -> {ms(b)}", f"ratio {b / a:.2f}")
    npl = nopreload.get("databases", {}).get("10k", {}).get("stages", {})
    if npl:
        row("10,000 profiles: load alone, without umockdev's preload", ms(stage(npl, "load")),
            f"cpu {ms(stage(npl, 'load', 'cpu_median_ms'))} (production has no preload)")
    for name, key in (("yaml-cpp parser alone (no tree), 10,000 in-memory texts", "yaml-cpp"),
                      ("  libyaml's parser on the same texts (yardstick, not used)", "libyaml"),
                      ("parse_profile, 10,000 in-memory texts", "parse"),
                      ("read 10,000 files", "read"), ("list 10,000 files", "walk")):
        if stage(large, key):
            row(name, ms(stage(large, key)), f"cpu {ms(stage(large, key, 'cpu_median_ms'))}")

    scaling = bench.get("scaling")
    if scaling:
        first, last = scaling[0], scaling[-1]
        row(f"match {last['profiles']:,} / {first['profiles']:,} in-memory profiles: indexed",
            f"{bench['scaling_ratio_indexed']:.2f}",
            f"{ms(first['match']['median_ms'])} -> {ms(last['match']['median_ms'])}")
        row("  same, without the DMI-only profiles (checked one by one)",
            f"{bench['scaling_ratio_indexed_devices_only']:.2f}",
            f"{ms(first['match_devices_only']['median_ms'])} -> {ms(last['match_devices_only']['median_ms'])}")
        row("  same, devices x profiles loop (the baseline to beat)", f"{bench['scaling_ratio_naive']:.2f}",
            f"{ms(first['naive']['median_ms'])} -> {ms(last['naive']['median_ms'])}")

    testbed = bench.get("testbed", {})
    if testbed:
        row(f"scan of {testbed['pci_devices']} PCI + {testbed['usb_devices']} USB devices (libudev, no hwdb)",
            ms(testbed["scan"]["median_ms"]), f"cpu {ms(testbed['scan']['cpu_median_ms'])}")
    shipped = bench.get("shipped")
    if shipped:
        row(f"shipped database ({shipped['profiles']} profiles): scan + load + match, in process",
            ms(shipped["pipeline"]["median_ms"]), f"cpu {ms(shipped['pipeline']['cpu_median_ms'])}")

    print()
    count = read_text(os.path.join(work, "lspci-testbed-count"), "?")
    testbed_times = timings(os.path.join(work, "timing-testbed.json"))
    host_times = timings(os.path.join(work, "timing-host.json"))
    if testbed_times:
        print(f"  Whole processes in one umockdev-run; lspci -n listed {count} of the testbed's "
              f"{read_text(os.path.join(work, 'pci-count'))} fake devices:")
    else:
        print(f"  lspci did NOT see the testbed (it listed {count} devices): only the host figures count")
    for name, (seconds, cpu) in testbed_times.items():
        row(f"  {name}", ms(seconds * 1000), f"cpu (user+system) {ms(cpu * 1000)}" if cpu else "")
    if "lspci -n" in testbed_times and "detect shipped" in testbed_times:
        wall, cpu = ratio_text(testbed_times, "detect shipped", "lspci -n")
        verdict = "met" if float(wall) <= TARGET_DETECT_OVER_LSPCI else "MISSED"
        row("detect (shipped database, --no-hwdb) / lspci -n, testbed", wall,
            f"target <= {TARGET_DETECT_OVER_LSPCI:.0f}: {verdict}; {cpu}")
    if "lspci -n" in testbed_times and "detect shipped, cached" in testbed_times:
        wall, cpu = ratio_text(testbed_times, "detect shipped, cached", "lspci -n")
        verdict = "met" if float(wall) <= TARGET_DETECT_OVER_LSPCI else "MISSED"
        row("detect (shipped, parsed database cached) / lspci -n, testbed", wall,
            f"target <= {TARGET_DETECT_OVER_LSPCI:.0f}: {verdict}; {cpu}")
    if "detect 1k" in testbed_times and "detect 10k" in testbed_times:
        wall, cpu = ratio_text(testbed_times, "detect 10k", "detect 1k")
        row("detect 10,000 / detect 1,000 profiles (whole process)", wall, cpu)
    if "lspci -n" in host_times and "detect shipped" in host_times:
        wall, cpu = ratio_text(host_times, "detect shipped", "lspci -n")
        row("detect (shipped) / lspci -n on the host's real /sys", wall,
            f"{ms(host_times['detect shipped'][0] * 1000)} / {ms(host_times['lspci -n'][0] * 1000)}; {cpu}; "
            "few devices, no preload: context only")

    rss = {name: read_text(os.path.join(work, f"rss-{name}"))
           for name in ("lspci", "shipped", "1k", "10k", "10k-cached")}
    if any(rss.values()):
        def mib(kb):
            return f"{int(kb) / 1024:.1f} MiB" if kb else "n/a"
        row("peak RSS: detect with 10,000 profiles", mib(rss["10k"]),
            f"cached: {mib(rss['10k-cached'])}; 1,000: {mib(rss['1k'])}; shipped: {mib(rss['shipped'])}; "
            f"lspci -n: {mib(rss['lspci'])}")

    total, entries = callgrind_entries(os.path.join(work, "callgrind.load-1k.inclusive.txt"))
    _, self_entries = callgrind_entries(os.path.join(work, "callgrind.load-1k.self.txt"))
    if entries:
        load = inclusive(entries, r"suspendfix::load_profile_database\(")
        files = inclusive(entries, r"load_files\(")
        parse = inclusive(entries, r"suspendfix::parse_profile\(")
        tree = inclusive(entries, r"suspendfix::parse_yaml\(")
        yaml = inclusive(entries, r"YAML::Parser::HandleNextDocument\(")
        regex = sum(cost for cost, name in self_entries if "YAML::RegEx::MatchUnchecked" in name)
        index = inclusive(entries, r"suspendfix::ProfileIndex::ProfileIndex\(")
        print("\n  callgrind, loading 1,000 profiles: instructions (Ir), share of load_profile_database")
        for label, cost in (("load_profile_database", load),
                            ("  yaml-cpp (Parser::HandleNextDocument)", yaml),
                            ("    of which YAML::RegEx::MatchUnchecked (self)", regex),
                            ("  YamlNode tree (parse_yaml less yaml-cpp)", tree - yaml),
                            ("  profile validation (parse_profile less parse_yaml)", parse - tree),
                            ("  reading files, duplicate ids (load_files less parsing)", files - parse),
                            ("  listing the directory tree (collect)", load - files),
                            ("ProfileIndex construction", index),
                            ("whole program, start-up included", total)):
            share = f"{100 * cost / load:5.1f}%" if load else ""
            row(label, f"{cost:,}", share)
        if load:
            row("  instructions per profile", f"{load // 1000:,}")
    total, entries = callgrind_entries(os.path.join(work, "callgrind.detect-shipped.inclusive.txt"))
    if entries:
        print("\n  callgrind, detect with the shipped database in the testbed: share of all instructions")
        main_cost = inclusive(entries, r"^\S*main\.cpp:main ")
        for label, pattern in (("device scan (UdevDeviceSource::scan)", r"UdevDeviceSource::scan\(\)"),
                               ("profile load (load_profile_database)", r"suspendfix::load_profile_database\("),
                               ("matching (ProfileIndex::match)", r"ProfileIndex::match\("),
                               ("plan (make_plan)", r"suspendfix::make_plan\("),
                               ("output (write_detect_text)", r"write_detect_text\(")):
            cost = inclusive(entries, pattern)
            row(label, f"{cost:,}", f"{100 * cost / total:5.1f}%" if total else "")
        row("start-up before main (dynamic linking)", f"{total - main_cost:,}",
            f"{100 * (total - main_cost) / total:5.1f}%" if total else "")
        row("total", f"{total:,}")
        _, self_entries = callgrind_entries(os.path.join(work, "callgrind.detect-shipped.self.txt"))
        if self_entries:
            print("  own instructions by library:")
            for obj, cost in self_by_object(self_entries)[:7]:
                row(f"  {obj}", f"{cost:,}", f"{100 * cost / total:5.1f}%" if total else "")


if __name__ == "__main__":
    main()
