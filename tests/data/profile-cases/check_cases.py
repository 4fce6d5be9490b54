#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks the profile case files in this directory (format: README.md).

Lint (the default, run by CTest): every profile under PROFILES has a case file <id>.yaml here
with at least one 'match' case and at least one 'no-match' or 'near-miss' case, every case file
belongs to a shipped profile, and every case is well formed.

--run BINARY additionally replays each case: it writes the machine as a umockdev device file,
runs `umockdev-run --device FILE -- BINARY detect --json ...` and compares the profile's entry in
"matches" with the expectation. It needs umockdev-run; the C++ test in tests/ is the real gate.

Exit status: 0 all good, 1 problems found, 2 usage, 77 PyYAML missing (CTest SKIP_RETURN_CODE).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the build host
    print("check_cases.py: python3-yaml (PyYAML) is not installed, skipping", file=sys.stderr)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROFILES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "profiles"))

EXPECTATIONS = ("match", "no-match", "near-miss")
DMI_FIELDS = ("sys_vendor", "product_name", "product_version", "product_family",
              "board_vendor", "board_name", "bios_version")
SLEEP_TYPES = ("suspend", "hibernate", "hybrid-sleep", "suspend-then-hibernate")
FILE_KEYS = {"profile", "file", "cases"}
CASE_KEYS = {"name", "expect", "kernel", "sleep", "dmi", "pci", "usb"}
PCI_KEYS = {"slot", "vendor", "device", "subsystem_vendor", "subsystem_device", "class",
            "driver", "module"}
USB_KEYS = {"name", "vendor", "product", "driver", "module", "pci_slot"}
HEX4 = re.compile(r"^[0-9a-f]{4}$")
CLASS = re.compile(r"^[0-9a-f]{6}$")
SLOT = re.compile(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")
USB_NAME = re.compile(r"^[0-9]+-[0-9]+(\.[0-9]+)*$")
KERNEL = re.compile(r"^[0-9]+\.[0-9]+")


def load_yaml(path):
    with open(path, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def shipped_profiles(profiles_dir):
    """id -> relative path of every *.yaml below profiles_dir."""
    found = {}
    for root, _dirs, files in os.walk(profiles_dir):
        for name in sorted(files):
            if not name.endswith(".yaml"):
                continue
            path = os.path.join(root, name)
            relative = os.path.relpath(path, profiles_dir).replace(os.sep, "/")
            data = load_yaml(path)
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                found[data["id"]] = relative
    return found


class Checker:
    def __init__(self, base):
        self.base = base  # case paths are reported relative to this directory
        self.problems = []

    def fail(self, where, message):
        self.problems.append(f"{where}: {message}")

    def string(self, where, value, what, allow_empty=False):
        if not isinstance(value, str) or (not value and not allow_empty):
            self.fail(where, f"'{what}' must be a {'' if allow_empty else 'non-empty '}string")
            return False
        return True

    def keys(self, where, mapping, allowed, what):
        if not isinstance(mapping, dict):
            self.fail(where, f"'{what}' must be a mapping")
            return False
        for key in mapping:
            if key not in allowed:
                self.fail(where, f"unknown key '{key}' in '{what}'")
        return True

    def pattern(self, where, value, regex, what):
        if not isinstance(value, str) or not regex.match(value):
            self.fail(where, f"bad {what} {value!r}")

    def case(self, where, case):
        if not self.keys(where, case, CASE_KEYS, "case"):
            return
        self.string(where, case.get("name"), "name")
        if case.get("expect") not in EXPECTATIONS:
            self.fail(where, f"'expect' must be one of {', '.join(EXPECTATIONS)}")
        self.pattern(where, case.get("kernel"), KERNEL, "kernel release (quote it)")
        if "sleep" in case and case["sleep"] not in SLEEP_TYPES:
            self.fail(where, f"'sleep' must be one of {', '.join(SLEEP_TYPES)}")
        dmi = case.get("dmi", {})
        if self.keys(where, dmi, set(DMI_FIELDS), "dmi"):
            for field, value in dmi.items():
                self.string(where, value, f"dmi.{field}")
        pci = case.get("pci", [])
        if not isinstance(pci, list):
            self.fail(where, "'pci' must be a list")
            pci = []
        slots = set()
        for device in pci:
            if not self.keys(where, device, PCI_KEYS, "pci entry"):
                continue
            self.pattern(where, device.get("slot"), SLOT, "PCI slot")
            if device.get("slot") in slots:
                self.fail(where, f"PCI slot {device.get('slot')} listed twice")
            slots.add(device.get("slot"))
            for key in ("vendor", "device", "subsystem_vendor", "subsystem_device"):
                self.pattern(where, device.get(key), HEX4, f"PCI {key} (4 lowercase hex digits, quoted)")
            self.pattern(where, device.get("class"), CLASS, "PCI class (6 lowercase hex digits, quoted)")
            for key in ("driver", "module"):
                if key in device:
                    self.string(where, device[key], key, allow_empty=True)
        usb = case.get("usb", [])
        if not isinstance(usb, list):
            self.fail(where, "'usb' must be a list")
            usb = []
        for device in usb:
            if not self.keys(where, device, USB_KEYS, "usb entry"):
                continue
            self.pattern(where, device.get("name"), USB_NAME, "USB device name (e.g. \"1-2\")")
            for key in ("vendor", "product"):
                self.pattern(where, device.get(key), HEX4, f"USB {key} (4 lowercase hex digits, quoted)")
            if "pci_slot" in device:
                self.pattern(where, device["pci_slot"], SLOT, "USB host pci_slot")
        if not dmi and not pci and not usb:
            self.fail(where, "a case needs at least one of dmi, pci or usb")

    def case_file(self, path, profiles):
        where = os.path.relpath(path, self.base)
        try:
            data = load_yaml(path)
        except yaml.YAMLError as error:
            self.fail(where, f"not valid YAML: {error}")
            return None
        if not self.keys(where, data, FILE_KEYS, "case file"):
            return None
        profile = data.get("profile")
        if not self.string(where, profile, "profile"):
            return None
        if os.path.basename(path) != f"{profile}.yaml":
            self.fail(where, f"file must be named after its profile: {profile}.yaml")
        if profile not in profiles:
            self.fail(where, f"no shipped profile has id '{profile}'")
        elif "file" in data and data["file"] != profiles[profile]:
            self.fail(where, f"'file' is {data['file']!r} but profile '{profile}' is in {profiles[profile]!r}")
        cases = data.get("cases")
        if not isinstance(cases, list) or not cases:
            self.fail(where, "'cases' must be a non-empty list")
            return None
        for index, case in enumerate(cases):
            self.case(f"{where}: case {index + 1}", case)
        expects = [case.get("expect") for case in cases if isinstance(case, dict)]
        if "match" not in expects:
            self.fail(where, "needs at least one case with expect: match")
        if "no-match" not in expects and "near-miss" not in expects:
            self.fail(where, "needs at least one case with expect: no-match or near-miss")
        return data


def umockdev_text(case):
    """The case's machine in umockdev's device file format."""
    lines = []
    for device in case.get("pci", []):
        slot = device["slot"]
        class_code = int(device["class"], 16)
        lines.append(f"P: /devices/pci0000:00/{slot}")
        if device.get("driver"):
            lines.append(f"E: DRIVER={device['driver']}")
        lines.append(f"E: PCI_CLASS={class_code:X}")
        lines.append(f"E: PCI_ID={device['vendor'].upper()}:{device['device'].upper()}")
        lines.append(f"E: PCI_SUBSYS_ID={device['subsystem_vendor'].upper()}:{device['subsystem_device'].upper()}")
        lines.append(f"E: PCI_SLOT_NAME={slot}")
        lines.append("E: MODALIAS=pci:v0000{}d0000{}sv0000{}sd0000{}bc{:02X}sc{:02X}i{:02X}".format(
            device["vendor"].upper(), device["device"].upper(), device["subsystem_vendor"].upper(),
            device["subsystem_device"].upper(), class_code >> 16, (class_code >> 8) & 0xff, class_code & 0xff))
        lines.append("E: SUBSYSTEM=pci")
        for key in ("class", "device", "vendor", "subsystem_vendor", "subsystem_device"):
            value = device["class"] if key == "class" else device[key]
            lines.append(f"A: {key}=0x{value}\\n")
        lines.append("A: revision=0x00\\n")
        if device.get("driver"):
            lines.append(f"L: driver=../../../bus/pci/drivers/{device['driver']}")
        lines.append("")
    for device in case.get("usb", []):
        host = device.get("pci_slot", "0000:00:14.0")
        bus = device["name"].split("-")[0]
        path = f"/devices/pci0000:00/{host}/usb{bus}/{device['name']}"
        depth = path.count("/")
        lines += [f"P: {path}", "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: SUBSYSTEM=usb",
                  f"A: idVendor={device['vendor']}\\n", f"A: idProduct={device['product']}\\n",
                  f"L: driver={'../' * depth}bus/usb/drivers/usb", ""]
        if device.get("driver"):
            lines += [f"P: {path}/{device['name']}:1.0", "E: DEVTYPE=usb_interface",
                      f"E: DRIVER={device['driver']}", "E: SUBSYSTEM=usb",
                      f"L: driver={'../' * (depth + 1)}bus/usb/drivers/{device['driver']}", ""]
    if case.get("dmi"):
        lines += ["P: /devices/virtual/dmi/id", "E: SUBSYSTEM=dmi"]
        lines += [f"A: {field}={value}\\n" for field, value in case["dmi"].items()]
        lines.append("")
    return "\n".join(lines) + "\n"


def replay(checker, binary, profiles_dir, path, data):
    where = os.path.relpath(path, checker.base)
    for index, case in enumerate(data["cases"]):
        label = f"{where}: case {index + 1} ({case.get('name')})"
        with tempfile.NamedTemporaryFile("w", suffix=".umockdev", delete=False) as machine:
            machine.write(umockdev_text(case))
        try:
            command = ["umockdev-run", "--device", machine.name, "--", binary, "detect", "--json",
                       "--no-hwdb", "--profiles", profiles_dir, "--kernel-release", case["kernel"]]
            if "sleep" in case:
                command += ["--sleep", case["sleep"]]
            result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        finally:
            os.unlink(machine.name)
        if result.returncode != 0:
            checker.fail(label, f"detect exited {result.returncode}: {result.stderr.strip()}")
            continue
        report = json.loads(result.stdout)
        entries = [m for m in report.get("matches", []) if m.get("id") == data["profile"]]
        if not entries:
            got = "no-match"
        elif entries[0].get("applies"):
            got = "match"
        else:
            got = "near-miss"
        if got != case["expect"]:
            why = entries[0].get("why_not") if entries else None
            checker.fail(label, f"expected {case['expect']}, got {got}" + (f" ({why})" if why else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", default=DEFAULT_PROFILES, help="profile directory (default: ../../../profiles)")
    parser.add_argument("--cases", default=HERE, help="case directory (default: this script's)")
    parser.add_argument("--run", metavar="BINARY", help="also replay every case through BINARY detect under umockdev")
    args = parser.parse_args()

    profiles = shipped_profiles(args.profiles)
    if not profiles:
        print(f"check_cases.py: no profiles found in {args.profiles}", file=sys.stderr)
        return 2
    checker = Checker(args.cases)
    case_files = sorted(os.path.join(args.cases, name) for name in os.listdir(args.cases)
                        if name.endswith(".yaml"))
    loaded = {}
    for path in case_files:
        data = checker.case_file(path, profiles)
        if data:
            loaded[path] = data
    covered = {data.get("profile") for data in loaded.values()}
    covered |= {os.path.basename(path)[:-len(".yaml")] for path in case_files}
    for profile_id, relative in sorted(profiles.items()):
        if profile_id not in covered:
            checker.fail(relative, f"profile '{profile_id}' has no case file {profile_id}.yaml")
    if args.run and not checker.problems:
        for path, data in loaded.items():
            replay(checker, os.path.abspath(args.run), os.path.abspath(args.profiles), path, data)

    for problem in checker.problems:
        print(problem, file=sys.stderr)
    cases = sum(len(data["cases"]) for data in loaded.values())
    print(f"{len(profiles)} profile(s), {len(case_files)} case file(s), {cases} case(s)"
          f"{', replayed' if args.run else ''}, {len(checker.problems)} problem(s)")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
