#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Converts a real machine's transcribed dump (NAME.probe) into a umockdev machine.

Usage: probe2umockdev.py [--check] [PROBE...]   (default: every *.probe beside this script)

Writes NAME.umockdev (the devices and /sys/class/dmi/id, behind a '#' header that names the
source; tests strip it, as umockdev-run does not read comments) and NAME.sysfs (driver -> module
links). With --check nothing is written; the exit status is 1 when a generated file differs from
the committed one. README.md beside this script describes the .probe format.
"""

import argparse
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCI = re.compile(r"^pci (?P<slot>[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])(?:@(?P<parent>[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]))?"
                 r" (?P<klass>[0-9a-f]{6}) (?P<vendor>[0-9a-f]{4}):(?P<device>[0-9a-f]{4})"
                 r" (?P<svendor>[0-9a-f]{4}):(?P<sdevice>[0-9a-f]{4}) (?P<rev>[0-9a-f]{2})"
                 r" (?P<driver>\S+)$")
USB = re.compile(r"^usb (?P<name>[0-9]+-[0-9.]+) (?P<vendor>[0-9a-f]{4}):(?P<product>[0-9a-f]{4})"
                 r" (?P<driver>\S+) @(?P<host>[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])$")
DMI = re.compile(r"^dmi (?P<field>[a-z_]+)=(?P<value>.*)$")
DMI_FIELDS = ("bios_vendor", "bios_version", "bios_date", "sys_vendor", "product_name",
              "product_version", "product_family", "product_sku", "board_vendor", "board_name",
              "board_version", "chassis_vendor")


class ProbeError(Exception):
    pass


def parse(path):
    machine = {"header": [], "kernel": None, "expect": [], "near": [], "dmi": [], "pci": [], "usb": []}
    with open(path, encoding="utf-8") as stream:
        for number, raw in enumerate(stream, 1):
            line = raw.rstrip("\n")
            where = f"{os.path.basename(path)}:{number}"
            if line.startswith("#"):
                machine["header"].append(line)
            elif not line.strip():
                continue
            elif line.startswith("kernel "):
                words = line.split()[1:]
                if not words or len(words) > 2 or words[1:] not in ([], ["assumed"]):
                    raise ProbeError(f"{where}: 'kernel RELEASE' or 'kernel RELEASE assumed'")
                machine["kernel"] = words[0] + (" (assumed: the dump records no kernel)"
                                                if words[1:] else "")
            elif line.startswith("expect"):
                machine["expect"] += line.split()[1:]
            elif line.startswith("near-miss"):
                machine["near"] += line.split()[1:]
            elif line.startswith("dmi "):
                found = DMI.match(line)
                if not found or found["field"] not in DMI_FIELDS:
                    raise ProbeError(f"{where}: bad dmi line")
                machine["dmi"].append((found["field"], found["value"]))
            elif line.startswith("pci "):
                found = PCI.match(line)
                if not found:
                    raise ProbeError(f"{where}: bad pci line")
                machine["pci"].append(found.groupdict())
            elif line.startswith("usb "):
                found = USB.match(line)
                if not found:
                    raise ProbeError(f"{where}: bad usb line")
                machine["usb"].append(found.groupdict())
            else:
                raise ProbeError(f"{where}: unknown line")
    if not machine["kernel"]:
        raise ProbeError(f"{path}: no 'kernel' line")
    if not any(line.startswith("# Source: ") for line in machine["header"]):
        raise ProbeError(f"{path}: the header must name its source ('# Source: URL')")
    return machine


def sysfs_path(slots, slot):
    """/devices/pci0000:00/0000:00:1c.4/0000:03:00.0 from the parent links."""
    chain = []
    while slot:
        chain.append(f"0000:{slot}")
        root = slot[:2]
        slot = slots[slot]["parent"]
    return f"/devices/pci0000:{root}/" + "/".join(reversed(chain))


def escape(value):
    return value.replace("\\", "\\\\")


def driver_module(text):
    if text == "-":
        return "", ""
    driver, _, module = text.partition("/")
    return driver, module


def umockdev(machine):
    slots = {device["slot"]: device for device in machine["pci"]}
    lines = list(machine["header"])
    lines.append(f"# kernel: {machine['kernel']}")
    lines.append(f"# expect: {' '.join(machine['expect'])}")
    lines.append(f"# near-miss: {' '.join(machine['near'])}")
    for device in machine["pci"]:
        path = sysfs_path(slots, device["slot"])
        depth = path.count("/")
        driver, _module = driver_module(device["driver"])
        klass = int(device["klass"], 16)
        ids = {k: device[k].upper() for k in ("vendor", "device", "svendor", "sdevice")}
        lines.append(f"P: {path}")
        if driver:
            lines.append(f"E: DRIVER={driver}")
        lines += [f"E: PCI_CLASS={klass:X}", f"E: PCI_ID={ids['vendor']}:{ids['device']}",
                  f"E: PCI_SUBSYS_ID={ids['svendor']}:{ids['sdevice']}",
                  f"E: PCI_SLOT_NAME=0000:{device['slot']}",
                  "E: MODALIAS=pci:v0000{}d0000{}sv0000{}sd0000{}bc{:02X}sc{:02X}i{:02X}".format(
                      ids["vendor"], ids["device"], ids["svendor"], ids["sdevice"],
                      klass >> 16, (klass >> 8) & 0xff, klass & 0xff),
                  "E: SUBSYSTEM=pci",
                  f"A: class=0x{device['klass']}\\n", f"A: device=0x{device['device']}\\n",
                  f"A: vendor=0x{device['vendor']}\\n", f"A: subsystem_vendor=0x{device['svendor']}\\n",
                  f"A: subsystem_device=0x{device['sdevice']}\\n", f"A: revision=0x{device['rev']}\\n"]
        if driver:
            lines.append(f"L: driver={'../' * depth}bus/pci/drivers/{driver}")
        lines.append("")
    for device in machine["usb"]:
        host = sysfs_path(slots, device["host"])
        bus = device["name"].split("-")[0]
        path = f"{host}/usb{bus}/{device['name']}"
        depth = path.count("/")
        driver, _module = driver_module(device["driver"])
        lines += [f"P: {path}", "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: SUBSYSTEM=usb",
                  f"A: idVendor={device['vendor']}\\n", f"A: idProduct={device['product']}\\n",
                  f"L: driver={'../' * depth}bus/usb/drivers/usb", ""]
        if driver:
            lines += [f"P: {path}/{device['name']}:1.0", "E: DEVTYPE=usb_interface",
                      f"E: DRIVER={driver}", "E: SUBSYSTEM=usb",
                      f"L: driver={'../' * (depth + 1)}bus/usb/drivers/{driver}", ""]
    if machine["dmi"]:
        lines += ["P: /devices/virtual/dmi/id", "E: SUBSYSTEM=dmi"]
        lines += [f"A: {field}={escape(value)}\\n" for field, value in machine["dmi"]]
        lines.append("")
    return "\n".join(lines)


def sysfs(machine):
    lines = ["# Driver -> module links for the umockdev machine of the same name (generated)."]
    seen = set()
    for bus, devices in (("pci", machine["pci"]), ("usb", machine["usb"])):
        for device in devices:
            driver, module = driver_module(device["driver"])
            if driver and module and (bus, driver) not in seen:
                seen.add((bus, driver))
                lines.append(f"link bus/{bus}/drivers/{driver}/module ../../../../module/{module}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("probes", nargs="*")
    args = parser.parse_args()
    probes = args.probes or sorted(glob.glob(os.path.join(HERE, "*.probe")))
    stale = 0
    for probe in probes:
        try:
            machine = parse(probe)
        except ProbeError as error:
            print(f"probe2umockdev.py: {error}", file=sys.stderr)
            return 1
        base = probe[:-len(".probe")]
        for path, text in ((base + ".umockdev", umockdev(machine)), (base + ".sysfs", sysfs(machine))):
            if args.check:
                try:
                    with open(path, encoding="utf-8") as stream:
                        current = stream.read()
                except OSError:
                    current = None
                if current != text:
                    print(f"{path} is out of date; run {os.path.basename(__file__)}", file=sys.stderr)
                    stale += 1
            else:
                with open(path, "w", encoding="utf-8") as stream:
                    stream.write(text)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
