# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the real `suspendfix detect --json` for one profile on one kernel: the profile's case
machine under umockdev (devices, drivers, DMI), the kernel's module tables and a /sys/module
in which every module the profile could meet is loaded, through tests/fakekernel's shim."""

import copy
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

from kernel_model import in_range
from profile_checks import case_devices, module_entries

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "data", "profile-cases"))
from check_cases import umockdev_text  # noqa: E402  (the same machines the case replay uses)


def device_module(kernel, bus, device, out_of_tree):
    """The module that would drive `device` on `kernel`: the case's own module when this
    kernel has it (or it is an out-of-tree module the profile names), else the first in-tree
    module whose aliases claim the device."""
    named = (device.get("module") or "").replace("-", "_")
    if named and (kernel.exists(named) or named in out_of_tree):
        return named
    claimers = kernel.claimers(bus, device)
    return claimers[0] if claimers else ""


def loaded_modules(kernel, profile, machine):
    """Every module the profile could meet on this kernel: the modules bound to the machine's
    devices, the modules it names, and every module that could hold one of them."""
    out_of_tree = {n for n, _r, oot in module_entries(profile) if oot}
    start = set(out_of_tree)
    for bus in ("pci", "usb"):
        for device in machine.get(bus) or []:
            if device.get("module"):
                start.add(device["module"])
    for name, module_range, oot in module_entries(profile):
        if not oot and in_range(kernel.release, module_range) and kernel.exists(name):
            start.add(name)
    loaded = set(start)
    for module in start:
        if module not in out_of_tree:
            loaded |= kernel.all_dependents(module)
    return loaded


def machine_for(kernel, profile, case):
    """The case machine with drivers and modules as this kernel would bind them."""
    machine = copy.deepcopy(case)
    out_of_tree = {n for n, _r, oot in module_entries(profile) if oot}
    for bus in ("pci", "usb"):
        for device in machine.get(bus) or []:
            module = device_module(kernel, bus, device, out_of_tree)
            if module != (device.get("module") or "").replace("-", "_"):
                device["driver"] = module
            device["module"] = module
            if not module:
                device["driver"] = ""
    return machine


def sysfs_links(machine):
    """Shell lines that link each bound driver to its module inside the umockdev testbed."""
    lines = []
    for bus in ("pci", "usb"):
        for device in machine.get(bus) or []:
            if device.get("driver") and device.get("module"):
                directory = f'"$UMOCKDEV_DIR/sys/bus/{bus}/drivers/{device["driver"]}"'
                lines.append(f"mkdir -p {directory}")
                lines.append(f"ln -sfn ../../../../module/{device['module']} {directory}/module")
    return lines


def run_detect(binary, shim, kernel, profile, relative, case, profiles_dir):
    machine = machine_for(kernel, profile, case)
    loaded = loaded_modules(kernel, profile, machine)
    work = tempfile.mkdtemp(prefix="suspendfix-lint-")
    try:
        root = os.path.join(work, "root")
        live = kernel.make_root(root, loaded)
        only = os.path.join(work, "profiles")
        os.makedirs(os.path.dirname(os.path.join(only, relative)), exist_ok=True)
        shutil.copyfile(os.path.join(profiles_dir, relative), os.path.join(only, relative))
        with open(os.path.join(work, "machine.umockdev"), "w", encoding="utf-8") as stream:
            stream.write(umockdev_text(machine))
        sleep = (profile.get("sleep") or ["suspend"])[0]
        command = [binary, "detect", "--json", "--no-hwdb", "--profiles", only,
                   "--kernel-release", kernel.release, "--sleep", sleep]
        script = sysfs_links(machine) + [
            f'export LD_PRELOAD={shlex.quote(shim)}"${{LD_PRELOAD:+:$LD_PRELOAD}}"',
            "exec " + " ".join(shlex.quote(word) for word in command)]
        with open(os.path.join(work, "run.sh"), "w", encoding="utf-8") as stream:
            stream.write("\n".join(script) + "\n")
        environment = dict(os.environ, SUSPENDFIX_FAKE_ROOT=root,
                           SUSPENDFIX_FAKE_UNAME_R=kernel.release,
                           SUSPENDFIX_CONFIG=os.path.join(work, "no-config.yaml"),
                           SUSPENDFIX_STATE_DIR=os.path.join(work, "state"),
                           SUSPENDFIX_CACHE_DIR="")
        result = subprocess.run(
            ["umockdev-run", "--device", os.path.join(work, "machine.umockdev"), "--",
             "sh", os.path.join(work, "run.sh")],
            capture_output=True, text=True, timeout=120, env=environment, check=False)
        if result.returncode != 0:
            return None, f"detect exited {result.returncode}: {result.stderr.strip()}"
        report = json.loads(result.stdout)
        holders = {}
        for module in live:
            directory = os.path.join(root, "sys", "module", module, "holders")
            holders[module] = sorted(os.listdir(directory))
        return {"report": report, "holders": holders, "machine": machine,
                "devices": case_devices(profile, machine)}, None
    finally:
        shutil.rmtree(work, ignore_errors=True)
