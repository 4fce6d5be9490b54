#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Summarises an unpacked, depmod'ed kernel package for the database lint.

Usage: kernel_summary.py [--package NAME] ROOT KVER OUT

ROOT/lib/modules/KVER must hold the modules and depmod's tables. OUT receives:
  lib/modules/KVER/modules.{dep,alias,builtin,softdep} and their .bin indexes, and
      modules.builtin.alias.bin: what libkmod reads, so `suspendfix detect` can run against
      this kernel under the fake-kernel shim (tests/fakekernel);
  modules.builtin.aliases  "MODULE PATTERN" per line, the aliases of built-in drivers;
  modules.depends          "MODULE DEP1 DEP2..." per line: the direct dependencies of each
                           module (its .modinfo depends=), which is what makes a module a
                           holder of another, where modules.dep lists the transitive closure;
  package                  the package name and KVER;
  .complete                written last.
The unpacked package (hundreds of MB) can then be deleted.
"""

import argparse
import lzma
import os
import shutil
import struct
import subprocess
import sys

INDEXES = ("modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
           "modules.builtin", "modules.builtin.bin", "modules.builtin.alias.bin",
           "modules.softdep")


def module_name(path):
    base = os.path.basename(path)
    return base.split(".ko")[0].replace("-", "_")


def modinfo_section(data):
    """The .modinfo section of a 64-bit little-endian ELF object, or None."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def header(index):
        base = shoff + index * shentsize
        name, = struct.unpack_from("<I", data, base)
        offset, size = struct.unpack_from("<QQ", data, base + 0x18)
        return name, offset, size
    _, strtab, _ = header(shstrndx)
    for index in range(shnum):
        name, offset, size = header(index)
        end = data.index(b"\0", strtab + name)
        if data[strtab + name:end] == b".modinfo":
            return data[offset:offset + size]
    return None


def read_module(path):
    with open(path, "rb") as stream:
        data = stream.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".zst") or path.endswith(".gz"):
        return None  # read through modinfo(8) instead
    return data


def direct_dependencies(path):
    data = read_module(path)
    section = modinfo_section(data) if data else None
    if section is None:
        out = subprocess.run(["modinfo", "-F", "depends", path], capture_output=True,
                             text=True, check=True).stdout.strip()
        return [d.replace("-", "_") for d in out.split(",") if d]
    for entry in section.split(b"\0"):
        if entry.startswith(b"depends="):
            value = entry[len(b"depends="):].decode()
            return [d.replace("-", "_") for d in value.split(",") if d]
    return []


def builtin_aliases(path):
    """modules.builtin.modinfo: NUL-separated 'module.key=value' strings."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as stream:
        data = stream.read()
    out = []
    for entry in data.split(b"\0"):
        text = entry.decode(errors="replace")
        module, _, rest = text.partition(".")
        if rest.startswith("alias="):
            out.append(f"{module.replace('-', '_')} {rest[len('alias='):]}")
    return sorted(set(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="")
    parser.add_argument("root")
    parser.add_argument("kver")
    parser.add_argument("out")
    args = parser.parse_args()
    moddir = os.path.join(args.root, "lib", "modules", args.kver)
    if not os.path.exists(os.path.join(moddir, "modules.dep")):
        print(f"kernel_summary.py: no modules.dep in {moddir} (run depmod)", file=sys.stderr)
        return 1
    target = os.path.join(args.out, "lib", "modules", args.kver)
    os.makedirs(target, exist_ok=True)
    for name in INDEXES:
        source = os.path.join(moddir, name)
        if os.path.exists(source):
            shutil.copyfile(source, os.path.join(target, name))

    lines = []
    with open(os.path.join(moddir, "modules.dep"), encoding="utf-8") as stream:
        for line in stream:
            path = line.split(":", 1)[0].strip()
            if path:
                deps = direct_dependencies(os.path.join(moddir, path))
                lines.append(" ".join([module_name(path)] + sorted(deps)))
    with open(os.path.join(args.out, "modules.depends"), "w", encoding="utf-8") as stream:
        stream.write("\n".join(sorted(lines)) + "\n")
    with open(os.path.join(args.out, "modules.builtin.aliases"), "w", encoding="utf-8") as stream:
        stream.write("\n".join(builtin_aliases(os.path.join(moddir, "modules.builtin.modinfo"))) + "\n")
    with open(os.path.join(args.out, "package"), "w", encoding="utf-8") as stream:
        stream.write(f"{args.package} {args.kver}\n")
    open(os.path.join(args.out, ".complete"), "w").close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
