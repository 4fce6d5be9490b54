# SPDX-License-Identifier: GPL-2.0-or-later
"""What bench/vm's reports (run.sh, parallel.sh) share: a scenario's @@INFO result lines as
samples, and their medians, ranges and ratios."""
import json
import statistics


class Samples:
    """'@@INFO TAG VARIANT REP key=seconds ...' lines of one scenario, by (variant, key)."""

    def __init__(self, summary_path, scenario, tag):
        summary = json.load(open(summary_path))
        self.lines = summary["scenarios"][scenario]["info"]
        self.data = {}
        for line in self.lines:
            parts = line.split()
            if len(parts) < 4 or parts[0] != tag or not parts[2].isdigit():
                continue
            for kv in parts[3:]:
                k, _, v = kv.partition("=")
                try:
                    self.data.setdefault((parts[1], k), []).append(float(v))
                except ValueError:
                    pass

    def med(self, variant, key):
        v = self.data.get((variant, key), [])
        return statistics.median(v) if v else float("nan")

    def cell(self, variant, key):
        v = self.data.get((variant, key), [])
        if not v:
            return "-"
        return f"{statistics.median(v):7.3f}  [{min(v):.3f}-{max(v):.3f}]"


def ratio(a, b):
    return f"{a / b:5.2f}x" if b and b == b and a == a else "-"
