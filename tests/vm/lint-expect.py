#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What the database lint says one profile's plan is on one kernel, for the VM guest.

Usage: lint-expect.py REPORT PROFILE KVER

REPORT is docs/kernel-lint.md (tests/kernel-lint); its table has one row per profile and
checked kernel: "| Profile | Range | Kernel | Ids | Named modules | Could hold them | Plan |",
the first row of a profile naming it, the next ones leaving Profile and Range empty. The row
for KVER's series (6.1.0-57-amd64 -> 6.1, 6.12.117+deb12-amd64 -> 6.12) is printed as shell
assignments that the guest sources (/sfx/kernel-expect.sh):

  SFX_EXPECT_KERNEL   the series ("6.12")
  SFX_EXPECT_PROFILE  PROFILE
  SFX_EXPECT_HOLDERS  the modules the lint found could hold a module of the plan, in order
  SFX_EXPECT_PLAN     the modules the plan unloads, in order (holders before what they hold)

The lint computes its plan with every such holder loaded, so the guest loads the holders and
then expects exactly this plan. Exit 1, naming the file and what is missing, when the report
has no row for the profile on that series or a cell cannot be read.
"""

import re
import sys

CELL_MODULE = re.compile(r"^`([A-Za-z0-9_]+)`$")


def series(kver):
    match = re.match(r"^(\d+\.\d+)", kver)
    if not match:
        raise ValueError(f"kernel release '{kver}' does not start with MAJOR.MINOR")
    return match.group(1)


def rows(path, profile):
    """(line number, cells) of each row of PROFILE: its first row and the ones under it."""
    found = []
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.startswith("|"):
                if found:
                    break
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) != 7:
                if found:
                    break
                continue
            if cells[0].startswith(f"`{profile}`"):
                found.append((number, cells))
            elif found and cells[0] == "":
                found.append((number, cells))
            elif found:
                break
    return found


def holders(cell, where):
    """'`xhci_pci` ← xhci_pci_renesas<br>`xhci_hcd` ← a, b' -> the holder names, in order."""
    if cell == "none":
        return []
    out = []
    for part in cell.split("<br>"):
        held, sep, names = part.partition(" ← ")
        if not sep or not CELL_MODULE.match(held):
            raise ValueError(f"{where}: cannot read the holders cell part '{part}'")
        for name in names.split(","):
            name = name.strip()
            if name and name not in out:
                out.append(name)
    return out


def plan(cell, where):
    """'`a` → `b` (not loaded) → unbind 0000:01:00.0' -> the modules unloaded: ['a']."""
    out = []
    for step in cell.split(" → "):
        step = step.strip()
        match = CELL_MODULE.match(step)
        if match:
            out.append(match.group(1))
        elif not step.startswith("`") and not re.match(r"^(unbind|remove) ", step):
            raise ValueError(f"{where}: cannot read the plan step '{step}'")
    return out


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    report, profile, kver = argv[1:]
    try:
        want = series(kver)
        found = rows(report, profile)
        if not found:
            raise ValueError(f"{report}: no row for profile '{profile}'")
        for number, cells in found:
            if cells[2] != want:
                continue
            where = f"{report}:{number}"
            held = holders(cells[5], where)
            steps = plan(cells[6], where)
            if not steps:
                raise ValueError(f"{where}: the plan of '{profile}' on {want} unloads nothing")
            print(f'SFX_EXPECT_KERNEL="{want}"')
            print(f'SFX_EXPECT_PROFILE="{profile}"')
            print(f'SFX_EXPECT_HOLDERS="{" ".join(h for h in held if h in steps)}"')
            print(f'SFX_EXPECT_PLAN="{" ".join(steps)}"')
            return 0
        kernels = ", ".join(cells[2] for _, cells in found)
        raise ValueError(f"{report}:{found[0][0]}: profile '{profile}' has rows for {kernels}, "
                         f"none for {want} (kernel {kver}): add the kernel to "
                         "tests/kernel-lint/kernels.list and regenerate the report")
    except (OSError, ValueError) as error:
        print(f"lint-expect: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
