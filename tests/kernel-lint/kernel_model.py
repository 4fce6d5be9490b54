# SPDX-License-Identifier: GPL-2.0-or-later
"""A kernel as the database lint sees it: the summary fetch-kernels.sh wrote (module alias,
dependency and built-in tables), and a fake root that lets the real `suspendfix detect` plan
against it (tests/fakekernel's shim reads /lib/modules and /sys/module from there)."""

import fnmatch
import os
import re

PCI_ALIAS = re.compile(r"^pci:v([0-9A-F]{8}|\*)d([0-9A-F]{8}|\*)")
USB_ALIAS = re.compile(r"^usb:v([0-9A-F]{4}|\*)p([0-9A-F]{4}|\*)")


def version_key(text):
    """'6.1.0-57-amd64' -> (6, 1, 0): the leading numbers, as suspendfix reads a release."""
    numbers = re.match(r"^[0-9]+(\.[0-9]+)*", text)
    parts = [int(n) for n in numbers.group(0).split(".")] if numbers else []
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def in_range(release, kernel_range):
    """suspendfix-profiles(5): [from, before) on the release's leading numbers."""
    if not kernel_range:
        return True
    key = version_key(release)
    if kernel_range.get("from") and key < version_key(kernel_range["from"]):
        return False
    if kernel_range.get("before") and not key < version_key(kernel_range["before"]):
        return False
    return True


def pci_modalias(device):
    """The modalias the kernel gives a PCI function (drivers/pci/pci-driver.c)."""
    klass = int(device["class"], 16)
    return "pci:v0000{}d0000{}sv0000{}sd0000{}bc{:02X}sc{:02X}i{:02X}".format(
        device["vendor"].upper(), device["device"].upper(),
        device.get("subsystem_vendor", "0000").upper(), device.get("subsystem_device", "0000").upper(),
        klass >> 16, (klass >> 8) & 0xff, klass & 0xff)


class Kernel:
    def __init__(self, summary):
        with open(os.path.join(summary, "package"), encoding="utf-8") as stream:
            self.package, self.release = stream.read().split()
        self.summary = summary
        self.moddir = os.path.join(summary, "lib", "modules", self.release)
        self.depends = {}
        with open(os.path.join(summary, "modules.depends"), encoding="utf-8") as stream:
            for line in stream:
                words = line.split()
                if words:
                    self.depends[words[0]] = words[1:]
        self.builtin = set()
        with open(os.path.join(self.moddir, "modules.builtin"), encoding="utf-8") as stream:
            for line in stream:
                if line.strip():
                    self.builtin.add(os.path.basename(line.strip()).split(".ko")[0].replace("-", "_"))
        self.dependents = {}
        for module, deps in self.depends.items():
            for dep in deps:
                self.dependents.setdefault(dep, set()).add(module)
        self.aliases = []  # (pattern, module) for pci: and usb:
        with open(os.path.join(self.moddir, "modules.alias"), encoding="utf-8") as stream:
            for line in stream:
                words = line.split()
                if len(words) == 3 and words[0] == "alias" and words[1][:4] in ("pci:", "usb:"):
                    self.aliases.append((words[1], words[2].replace("-", "_")))
        with open(os.path.join(summary, "modules.builtin.aliases"), encoding="utf-8") as stream:
            for line in stream:
                words = line.split()
                if len(words) == 2 and words[1][:4] in ("pci:", "usb:"):
                    self.aliases.append((words[1], words[0]))

    @property
    def short(self):
        return ".".join(str(n) for n in version_key(self.release)[:2])

    def exists(self, module):
        return module in self.depends or module in self.builtin

    def claimers(self, bus, device):
        """In-tree modules whose aliases claim a device of a case file (vendor, device, class...)."""
        if bus == "pci":
            alias = pci_modalias(device)
            return sorted({m for p, m in self.aliases if p.startswith("pci:") and fnmatch.fnmatchcase(alias, p)})
        vendor, product = device["vendor"].upper(), device["product"].upper()
        found = set()
        for pattern, module in self.aliases:
            ids = USB_ALIAS.match(pattern)
            if ids and ids.group(1) == vendor and ids.group(2) in (product, "*"):
                found.add(module)
        if not found and self.claims_by_class(device.get("module", "")):
            # A case gives no interface classes; the module it names claims by class here.
            found.add(device["module"])
        return sorted(found)

    def claims_by_class(self, module):
        """Whether a module claims USB devices by interface class (a usb:v*p*... alias)."""
        module = module.replace("-", "_")
        return any(owner == module and pattern.startswith("usb:v*p*")
                   for pattern, owner in self.aliases)

    def claimed_ids(self, module):
        """Every explicit 'bus vvvv:dddd' a module's aliases name (class-only aliases left out)."""
        out = set()
        for pattern, owner in self.aliases:
            if owner != module:
                continue
            pci, usb = PCI_ALIAS.match(pattern), USB_ALIAS.match(pattern)
            if pci and "*" not in pci.groups():
                out.add(f"pci {pci.group(1)[4:].lower()}:{pci.group(2)[4:].lower()}")
            elif usb and "*" not in usb.groups():
                out.add(f"usb {usb.group(1).lower()}:{usb.group(2).lower()}")
        return out

    def all_dependents(self, module):
        """Every module that could hold `module`: its dependents, and theirs."""
        seen, todo = set(), [module]
        while todo:
            for dependent in self.dependents.get(todo.pop(), ()):
                if dependent not in seen:
                    seen.add(dependent)
                    todo.append(dependent)
        return seen

    def all_dependencies(self, module):
        seen, todo = set(), [module]
        while todo:
            for dep in self.depends.get(todo.pop(), ()):
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return seen

    def make_root(self, root, loaded):
        """A fake root for tests/fakekernel's shim: this kernel's tables, and `loaded` (plus
        their dependencies) live in /sys/module with the holders the kernel would record."""
        os.makedirs(os.path.join(root, "lib", "modules"))
        os.symlink(self.moddir, os.path.join(root, "lib", "modules", self.release))
        os.makedirs(os.path.join(root, "proc", "self"))
        for name in ("cmdline", "modules", "swaps", "cpuinfo", os.path.join("self", "mountinfo")):
            open(os.path.join(root, "proc", name), "w").close()
        live = set()
        for module in loaded:
            if module in self.builtin:
                continue
            live.add(module)
            live |= {d for d in self.all_dependencies(module) if d not in self.builtin}
        for module in sorted(live):
            base = os.path.join(root, "sys", "module", module)
            os.makedirs(os.path.join(base, "holders"))
            holders = sorted(h for h in live if module in self.depends.get(h, ()))
            for holder in holders:
                os.symlink(f"../../{holder}", os.path.join(base, "holders", holder))
            with open(os.path.join(base, "initstate"), "w") as stream:
                stream.write("live\n")
            with open(os.path.join(base, "refcnt"), "w") as stream:
                stream.write(f"{len(holders)}\n")
        return live
