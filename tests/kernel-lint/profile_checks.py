# SPDX-License-Identifier: GPL-2.0-or-later
"""The checks of the database lint, one profile at a time (README.md beside this file).

Each check returns findings; a finding with `problem` set fails the lint. The same findings
make the report, so what the table shows is what was checked."""

import fnmatch

from kernel_model import in_range


def module_entries(profile):
    """(name, kernel range, out_of_tree) of each unload_modules entry."""
    out = []
    for entry in (profile.get("actions") or {}).get("unload_modules") or []:
        if isinstance(entry, str):
            out.append((entry.replace("-", "_"), None, False))
        else:
            out.append((entry["name"].replace("-", "_"), entry.get("kernel"),
                        bool(entry.get("out_of_tree"))))
    return out


def acts_on_bound(profile):
    actions = profile.get("actions") or {}
    return bool(actions.get("unload_bound_module")) or actions.get("device") == "unbind" \
        or actions.get("fallback") not in (None, "none")


def removes_device(profile):
    return (profile.get("actions") or {}).get("device") == "remove"


def matched_ids(profile):
    """'bus vvvv:dddd' of each match entry; an entry without a device id matches 'vvvv:*'."""
    match = profile.get("match") or {}
    out = [f"pci {e['vendor']}:{e.get('device', '*')}" for e in match.get("pci") or []]
    out += [f"usb {e['vendor']}:{e.get('product', '*')}" for e in match.get("usb") or []]
    return out


def left_out(profile):
    """[(bus, pattern, why)]."""
    out = []
    for entry in profile.get("left_out") or []:
        bus = "pci" if "pci" in entry else "usb"
        ids = entry[bus] if isinstance(entry[bus], list) else [entry[bus]]
        out += [(bus, pattern, entry["why"]) for pattern in ids]
    return out


def case_devices(profile, case):
    """The devices of a case machine that the profile's match entries name: (bus, device)."""
    match = profile.get("match") or {}
    found = []
    for device in case.get("pci") or []:
        for entry in match.get("pci") or []:
            if entry["vendor"] == device["vendor"] and entry.get("device") in (None, device["device"]):
                found.append(("pci", device))
                break
    for device in case.get("usb") or []:
        for entry in match.get("usb") or []:
            if entry["vendor"] == device["vendor"] and entry.get("product") in (None, device["product"]):
                found.append(("usb", device))
                break
    return found


class ProfileCheck:
    """Everything the lint finds about one profile on every kernel."""

    def __init__(self, profile, relative, case, kernels, all_profiles):
        self.profile, self.relative, self.case = profile, relative, case
        self.kernels = kernels
        self.all_profiles = all_profiles
        self.range = (profile.get("match") or {}).get("kernel")
        self.problems = []
        self.notes = []          # what a reader should know, not failures
        self.claims = {}         # kernel release -> [(id text, [modules])]
        self.modules = {}        # kernel release -> [(module, state)]
        self.family = []         # (id, module, how it is covered)
        self.unchecked = []      # modules whose range holds no checked kernel

    def kernels_in_range(self):
        return [k for k in self.kernels if in_range(k.release, self.range)]

    def named_in_tree(self):
        return [(n, r) for n, r, oot in module_entries(self.profile) if not oot]

    def out_of_tree(self):
        return [n for n, _r, oot in module_entries(self.profile) if oot]

    def acting_modules(self, kernel, claimers):
        """The in-tree modules the profile acts on, among those claiming its ids."""
        named = {n for n, r in self.named_in_tree() if in_range(kernel.release, r)}
        acting = set(claimers) if acts_on_bound(self.profile) or removes_device(self.profile) else set()
        for module in claimers:
            related = kernel.all_dependents(module) | kernel.all_dependencies(module) | {module}
            if named & related:
                acting.add(module)
        return acting

    def check_ids(self):
        devices = case_devices(self.profile, self.case)
        if not devices:
            return
        oot = self.out_of_tree()
        for bus, device in devices:
            text = f"{bus} {device['vendor']}:{device.get('device', device.get('product'))}"
            claimed_anywhere = False
            acted_anywhere = False
            for kernel in self.kernels:
                claimers = kernel.claimers(bus, device)
                self.claims.setdefault(kernel.release, []).append((text, claimers))
                claimed_anywhere |= bool(claimers)
                acted_anywhere |= bool(self.acting_modules(kernel, claimers))
            if removes_device(self.profile):
                continue  # removed from the bus: whatever drives it goes with it
            if oot:
                continue  # the profile names the out-of-tree driver that acts on it
            if not claimed_anywhere:
                self.problems.append(
                    f"{text} is claimed by no module of the checked kernels: name its driver "
                    "with out_of_tree: true, or remove the device")
            elif not acted_anywhere:
                self.problems.append(
                    f"{text} is claimed by {', '.join(sorted({m for k in self.kernels for m in k.claimers(bus, device)}))}, "
                    "which the profile does not act on")

    def check_modules(self):
        for kernel in self.kernels:
            states = []
            for name, module_range, oot in module_entries(self.profile):
                if oot:
                    states.append((name, "out of tree"))
                elif not in_range(kernel.release, module_range):
                    states.append((name, "not for this kernel"))
                elif name in kernel.builtin:
                    states.append((name, "built in"))
                elif kernel.exists(name):
                    states.append((name, "module"))
                else:
                    states.append((name, "MISSING"))
            self.modules[kernel.release] = states
        for name, module_range in self.named_in_tree():
            inside = [k for k in self.kernels
                      if in_range(k.release, self.range) and in_range(k.release, module_range)]
            if not inside:
                self.unchecked.append(name)
            elif not any(k.exists(name) for k in inside):
                self.problems.append(
                    f"module '{name}' exists in no checked kernel inside its range "
                    f"({', '.join(k.release for k in inside)}): give it a kernel range or out_of_tree: true")

    def check_family(self):
        matched = matched_ids(self.profile)
        leftout = left_out(self.profile)
        siblings = {}
        for other in self.all_profiles:
            if other["id"] != self.profile["id"]:
                for text in matched_ids(other):
                    siblings.setdefault(text, other["id"])
        def sibling(ident):
            return next((owner for pattern, owner in siblings.items()
                         if fnmatch.fnmatchcase(ident, pattern)), None)
        buses = {text.split()[0] for text in matched}  # a PCI chip's family is its PCI ids
        seen = set()
        for kernel in self.kernels:
            for text, claimers in self.claims.get(kernel.release, []):
                for module in self.acting_modules(kernel, claimers):
                    if kernel.claims_by_class(module):
                        continue  # a class driver's explicit ids are quirks, not siblings
                    for other in sorted(kernel.claimed_ids(module)):
                        if other.split()[0] not in buses:
                            continue
                        if any(fnmatch.fnmatchcase(other, m) for m in matched) or (other, module) in seen:
                            continue
                        seen.add((other, module))
                        bus, ident = other.split()
                        why = next((w for b, p, w in leftout
                                    if b == bus and fnmatch.fnmatchcase(ident, p)), None)
                        if why:
                            self.family.append((other, module, f"left out: {why}"))
                        elif sibling(other):
                            self.family.append((other, module, f"matched by {sibling(other)}"))
                        else:
                            self.family.append((other, module, None))
                            self.problems.append(
                                f"{module} also claims {other} on {kernel.release}: match it, or add "
                                "it to left_out with why")
