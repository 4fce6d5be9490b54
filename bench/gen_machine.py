#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a synthetic 200-PCI-function machine for the detect benchmark.

Output: PREFIX.umockdev (umockdev-record format: P:/E:/A:/H:/L: lines, as in
tests/data/machines/*.umockdev) and PREFIX.sysfs (what lies outside /devices: driver module
links and /sys/module state, the format tests/integration/testbed.cpp applies).

The machine is a two-socket server: a chipset on bus 00, uncore functions on the other root
buses, NICs with SR-IOV virtual functions, NVMe drives, a RAID HBA, a BMC VGA behind its
bridge, and the NEC uPD720200 USB 3.0 controller that the shipped profile matches. Every
function carries the sysfs attributes libudev and lspci read, including a binary 'config'
header so that lspci does the same work it does on real hardware. Deterministic.

Usage: gen_machine.py --out PREFIX [--pci-count 200]
"""

import argparse
import os
import struct
import sys
import zlib

# (vendor, device, subsystem vendor, subsystem device, class, revision, driver, module, names)
# names: (vendor name, model name) for ID_*_FROM_DATABASE, or None when udev had none.
INTEL = "Intel Corporation"

CHIPSET = [
    # slot, vendor, device, sv, sd, class, rev, driver, module, model name
    ("00:00.0", 0x8086, 0x2020, 0x15d9, 0x095d, 0x060000, 0x04, "", "", "Sky Lake-E DMI3 Registers"),
    ("00:04.0", 0x8086, 0x2021, 0x15d9, 0x095d, 0x088000, 0x04, "ioatdma", "ioatdma", "Sky Lake-E CBDMA Registers"),
    ("00:04.1", 0x8086, 0x2021, 0x15d9, 0x095d, 0x088000, 0x04, "ioatdma", "ioatdma", "Sky Lake-E CBDMA Registers"),
    ("00:04.2", 0x8086, 0x2021, 0x15d9, 0x095d, 0x088000, 0x04, "ioatdma", "ioatdma", "Sky Lake-E CBDMA Registers"),
    ("00:04.3", 0x8086, 0x2021, 0x15d9, 0x095d, 0x088000, 0x04, "ioatdma", "ioatdma", "Sky Lake-E CBDMA Registers"),
    ("00:05.0", 0x8086, 0x2024, 0x15d9, 0x095d, 0x088000, 0x04, "", "", "Sky Lake-E MM/Vt-d Configuration Registers"),
    ("00:05.2", 0x8086, 0x2025, 0x0000, 0x0000, 0x088000, 0x04, "", "", "Sky Lake-E RAS"),
    ("00:05.4", 0x8086, 0x2026, 0x0000, 0x0000, 0x080020, 0x04, "", "", "Sky Lake-E IOAPIC"),
    ("00:08.0", 0x8086, 0x2014, 0x15d9, 0x095d, 0x088000, 0x04, "", "", "Sky Lake-E Ubox Registers"),
    ("00:08.1", 0x8086, 0x2015, 0x15d9, 0x095d, 0x110100, 0x04, "", "", "Sky Lake-E Ubox Registers"),
    ("00:08.2", 0x8086, 0x2016, 0x15d9, 0x095d, 0x088000, 0x04, "", "", "Sky Lake-E Ubox Registers"),
    ("00:11.0", 0x8086, 0xa1ec, 0x15d9, 0x095d, 0xff0000, 0x09, "", "", "C620 Series Chipset Family MROM 0"),
    ("00:11.5", 0x8086, 0xa1d2, 0x15d9, 0x095d, 0x010601, 0x09, "ahci", "ahci", "C620 Series Chipset Family SSATA Controller [AHCI mode]"),
    ("00:14.0", 0x8086, 0xa1af, 0x15d9, 0x095d, 0x0c0330, 0x09, "xhci_hcd", "xhci_pci", "C620 Series Chipset Family USB 3.0 xHCI Controller"),
    ("00:14.2", 0x8086, 0xa1b1, 0x15d9, 0x095d, 0x118000, 0x09, "intel_pch_thermal", "intel_pch_thermal", "C620 Series Chipset Family Thermal Subsystem"),
    ("00:16.0", 0x8086, 0xa1ba, 0x15d9, 0x095d, 0x078000, 0x09, "mei_me", "mei_me", "C620 Series Chipset Family MEI Controller #1"),
    ("00:16.1", 0x8086, 0xa1bb, 0x15d9, 0x095d, 0x078000, 0x09, "", "", "C620 Series Chipset Family MEI Controller #2"),
    ("00:16.4", 0x8086, 0xa1be, 0x15d9, 0x095d, 0x078000, 0x09, "", "", "C620 Series Chipset Family MEI Controller #3"),
    ("00:17.0", 0x8086, 0xa182, 0x15d9, 0x095d, 0x010601, 0x09, "ahci", "ahci", "C620 Series Chipset Family SATA Controller [AHCI mode]"),
    ("00:1c.0", 0x8086, 0xa190, 0x15d9, 0x095d, 0x060400, 0xf9, "pcieport", "", "C620 Series Chipset Family PCI Express Root Port #1"),
    ("00:1c.4", 0x8086, 0xa194, 0x15d9, 0x095d, 0x060400, 0xf9, "pcieport", "", "C620 Series Chipset Family PCI Express Root Port #5"),
    ("00:1c.5", 0x8086, 0xa195, 0x15d9, 0x095d, 0x060400, 0xf9, "pcieport", "", "C620 Series Chipset Family PCI Express Root Port #6"),
    ("00:1f.0", 0x8086, 0xa1c2, 0x15d9, 0x095d, 0x060100, 0x09, "lpc_ich", "lpc_ich", "C621 Series Chipset LPC/eSPI Controller"),
    ("00:1f.2", 0x8086, 0xa1a1, 0x15d9, 0x095d, 0x058000, 0x09, "", "", "C620 Series Chipset Family Power Management Controller"),
    ("00:1f.4", 0x8086, 0xa1a3, 0x15d9, 0x095d, 0x0c0500, 0x09, "i801_smbus", "i2c_i801", "C620 Series Chipset Family SMBus"),
    ("00:1f.5", 0x8086, 0xa1a4, 0x15d9, 0x095d, 0x0c8000, 0x09, "", "", "C620 Series Chipset Family SPI Controller"),
]

# Endpoints behind the chipset root ports: (bridge slot, bus, functions).
CHIPSET_ENDPOINTS = [
    ("00:1c.0", 0x01, [(0x1033, 0x0194, 0x15d9, 0x0a40, 0x0c0330, 0x03, "xhci_hcd", "xhci_pci",
                        "NEC Corporation", "uPD720200 USB 3.0 Host Controller")]),
    ("00:1c.4", 0x02, [(0x8086, 0x1533, 0x15d9, 0x1533, 0x020000, 0x03, "igb", "igb",
                        INTEL, "I210 Gigabit Network Connection")]),
]

# The BMC's VGA sits behind its own PCIe-to-PCI bridge (a bridge behind a root port).
BMC = ("00:1c.5", 0x03, 0x04)

# Uncore functions repeated on the per-socket root buses (class 0880 system peripherals).
UNCORE = [
    (0x8086, 0x2040, 0x088000, "Sky Lake-E Integrated Memory Controller"),
    (0x8086, 0x2041, 0x088000, "Sky Lake-E Integrated Memory Controller"),
    (0x8086, 0x2042, 0x088000, "Sky Lake-E Integrated Memory Controller"),
    (0x8086, 0x2043, 0x088000, "Sky Lake-E Integrated Memory Controller"),
    (0x8086, 0x2044, 0x088000, "Sky Lake-E Integrated Memory Controller"),
    (0x8086, 0x2045, 0x088000, "Sky Lake-E LM Channel 1"),
    (0x8086, 0x2046, 0x088000, "Sky Lake-E LMS Channel 1"),
    (0x8086, 0x2047, 0x088000, "Sky Lake-E LMDP Channel 1"),
    (0x8086, 0x2048, 0x088000, "Sky Lake-E DECS Channel 2"),
    (0x8086, 0x2049, 0x088000, "Sky Lake-E LM Channel 2"),
    (0x8086, 0x204a, 0x088000, "Sky Lake-E LMS Channel 2"),
    (0x8086, 0x204b, 0x088000, "Sky Lake-E LMDP Channel 2"),
    (0x8086, 0x204c, 0x110100, "Sky Lake-E M3KTI Registers"),
    (0x8086, 0x204d, 0x110100, "Sky Lake-E M3KTI Registers"),
    (0x8086, 0x204e, 0x088000, "Sky Lake-E M3KTI Registers"),
    (0x8086, 0x2054, 0x088000, "Sky Lake-E CHA Registers"),
    (0x8086, 0x2055, 0x088000, "Sky Lake-E CHA Registers"),
    (0x8086, 0x2056, 0x088000, "Sky Lake-E CHA Registers"),
    (0x8086, 0x2057, 0x088000, "Sky Lake-E CHA Registers"),
    (0x8086, 0x2058, 0x110100, "Sky Lake-E KTI 0"),
    (0x8086, 0x2059, 0x088000, "Sky Lake-E UPI Registers"),
    (0x8086, 0x2066, 0x088000, "Sky Lake-E Integrated Memory Controller"),
    (0x8086, 0x2068, 0x088000, "Sky Lake-E DDRIO Registers"),
    (0x8086, 0x206a, 0x088000, "Sky Lake-E IOxAPIC Configuration Registers"),
    (0x8086, 0x206e, 0x088000, "Sky Lake-E DDRIO Registers"),
    (0x8086, 0x2080, 0x088000, "Sky Lake-E PCU Registers"),
    (0x8086, 0x2081, 0x088000, "Sky Lake-E PCU Registers"),
    (0x8086, 0x2082, 0x088000, "Sky Lake-E PCU Registers"),
    (0x8086, 0x2083, 0x088000, "Sky Lake-E PCU Registers"),
    (0x8086, 0x2084, 0x088000, "Sky Lake-E PCU Registers"),
    (0x8086, 0x2085, 0x088000, "Sky Lake-E PCU Registers"),
    (0x8086, 0x2086, 0x088000, "Sky Lake-E PCU Registers"),
    (0x8086, 0x2088, 0x110100, "Sky Lake-E KTI 0"),
]

# Add-in cards on the socket root ports: (vendor, device, sv, sd, class, rev, driver, module,
# vendor name, model name, functions, (vf device, vf driver, vf module, vf model) or None).
CARDS = [
    (0x8086, 0x1572, 0x8086, 0x0007, 0x020000, 0x02, "i40e", "i40e", INTEL,
     "Ethernet Controller X710 for 10GbE SFP+", 4, (0x154c, "iavf", "iavf", "Ethernet Virtual Function 700 Series")),
    (0x15b3, 0x1017, 0x15b3, 0x0020, 0x020000, 0x00, "mlx5_core", "mlx5_core", "Mellanox Technologies",
     "MT27800 Family [ConnectX-5]", 2, (0x1018, "mlx5_core", "mlx5_core", "MT27800 Family [ConnectX-5 Virtual Function]")),
    (0x14e4, 0x16d7, 0x14e4, 0x1402, 0x020000, 0x01, "bnxt_en", "bnxt_en", "Broadcom Inc. and subsidiaries",
     "BCM57414 NetXtreme-E 10Gb/25Gb RDMA Ethernet Controller", 2, (0x16dc, "bnxt_en", "bnxt_en", "NetXtreme-E Ethernet Virtual Function")),
    (0x144d, 0xa808, 0x144d, 0xa801, 0x010802, 0x00, "nvme", "nvme", "Samsung Electronics Co Ltd",
     "NVMe SSD Controller SM981/PM981/PM983", 1, None),
    (0x144d, 0xa808, 0x144d, 0xa801, 0x010802, 0x00, "nvme", "nvme", "Samsung Electronics Co Ltd",
     "NVMe SSD Controller SM981/PM981/PM983", 1, None),
    (0x8086, 0x0a54, 0x8086, 0x4802, 0x010802, 0x00, "nvme", "nvme", INTEL,
     "NVMe Datacenter SSD [3DNAND, Beta Rock Controller]", 1, None),
    (0x8086, 0x0a54, 0x8086, 0x4802, 0x010802, 0x00, "nvme", "nvme", INTEL,
     "NVMe Datacenter SSD [3DNAND, Beta Rock Controller]", 1, None),
    (0x1000, 0x0097, 0x15d9, 0x0808, 0x010700, 0x02, "mpt3sas", "mpt3sas", "Broadcom / LSI",
     "SAS3008 PCI-Express Fusion-MPT SAS-3", 1, None),
    (0x10de, 0x1eb8, 0x10de, 0x12a2, 0x030200, 0xa1, "nouveau", "nouveau", "NVIDIA Corporation",
     "TU104GL [Tesla T4]", 1, None),
    (0x1b21, 0x1242, 0x1b21, 0x1242, 0x0c0330, 0x00, "xhci_hcd", "xhci_pci", "ASMedia Technology Inc.",
     "ASM1142 USB 3.1 Host Controller", 1, None),
]

ROOT_BUSES = [0x17, 0x3a, 0x5d, 0x85, 0xae, 0xd7]


class Function:
    def __init__(self, path, vendor, device, sv, sd, pci_class, rev, driver="", module="",
                 names=None, bridge=None, multifunction=False, numa=0):
        self.path = path  # below /sys, "devices/pci0000:00/0000:00:1c.0/0000:01:00.0"
        self.slot = path.rsplit("/", 1)[1]
        self.vendor, self.device, self.sv, self.sd = vendor, device, sv, sd
        self.pci_class, self.rev = pci_class, rev
        self.driver, self.module, self.names = driver, module, names
        self.bridge = bridge  # (primary, secondary, subordinate) for type 1 headers
        self.multifunction = multifunction
        self.numa = numa


def config_space(fn, irq):
    """A 256-byte configuration space: the standard header and a PCIe capability."""
    cfg = bytearray(256)
    header_type = 0x01 if fn.bridge else 0x00
    if fn.multifunction:
        header_type |= 0x80
    struct.pack_into("<HHHHB", cfg, 0, fn.vendor, fn.device, 0x0407 if fn.driver else 0x0400,
                     0x0010, fn.rev)
    cfg[0x09] = fn.pci_class & 0xff
    cfg[0x0a] = (fn.pci_class >> 8) & 0xff
    cfg[0x0b] = (fn.pci_class >> 16) & 0xff
    cfg[0x0c] = 0x10
    cfg[0x0e] = header_type
    if fn.bridge:
        cfg[0x18], cfg[0x19], cfg[0x1a] = fn.bridge
        struct.pack_into("<HH", cfg, 0x20, 0xfb00, 0xfbf0)  # memory window
    else:
        struct.pack_into("<I", cfg, 0x10, 0xfb000000 | (zlib.crc32(fn.slot.encode()) & 0xff) << 12)
        struct.pack_into("<HH", cfg, 0x2c, fn.sv, fn.sd)
    cfg[0x34] = 0x40
    cfg[0x3c] = irq & 0xff
    cfg[0x3d] = 0x01
    # PCI Express capability at 0x40, end of list.
    struct.pack_into("<BBH", cfg, 0x40, 0x10, 0x00, 0x0042 if fn.bridge else 0x0002)
    return bytes(cfg)


def machine_functions(target):
    functions = []
    root0 = "devices/pci0000:00"
    for slot, vendor, device, sv, sd, cls, rev, driver, module, model in CHIPSET:
        multi = slot.endswith(".0") and any(
            s.startswith(slot[:-1]) and s != slot for s, *_ in CHIPSET)
        bridge = None
        functions.append(Function(f"{root0}/0000:{slot}", vendor, device, sv, sd, cls, rev, driver,
                                  module, (INTEL, model), bridge, multi))
    bridges = {fn.slot: fn for fn in functions}
    for bridge_slot, bus, ends in CHIPSET_ENDPOINTS:
        bridges["0000:" + bridge_slot].bridge = (0x00, bus, bus)
        for (vendor, device, sv, sd, cls, rev, driver, module, vname, model) in ends:
            functions.append(Function(f"{root0}/0000:{bridge_slot}/0000:{bus:02x}:00.0", vendor,
                                      device, sv, sd, cls, rev, driver, module, (vname, model)))
    # BMC: root port -> ASPEED bridge -> VGA.
    port, bus, subbus = BMC
    bridges["0000:" + port].bridge = (0x00, bus, subbus)
    aspeed_bridge = f"{root0}/0000:{port}/0000:{bus:02x}:00.0"
    functions.append(Function(aspeed_bridge, 0x1a03, 0x1150, 0x0000, 0x0000, 0x060400, 0x04, "", "",
                              ("ASPEED Technology, Inc.", "AST1150 PCI-to-PCI Bridge"),
                              (bus, subbus, subbus)))
    functions.append(Function(f"{aspeed_bridge}/0000:{subbus:02x}:00.0", 0x1a03, 0x2000, 0x15d9,
                              0x095d, 0x030000, 0x41, "ast", "ast",
                              ("ASPEED Technology, Inc.", "ASPEED Graphics Family")))

    # Per socket root bus: uncore functions, two root ports with one card each.
    card = 0
    next_bus = 0
    for index, root in enumerate(ROOT_BUSES):
        numa = 0 if index < len(ROOT_BUSES) // 2 else 1
        base = f"devices/pci0000:{root:02x}"
        uncore = UNCORE[(index * 5) % len(UNCORE):] + UNCORE[:(index * 5) % len(UNCORE)]
        for n, (vendor, device, cls, model) in enumerate(uncore[:14]):
            slot = f"0000:{root:02x}:{0x08 + n // 4:02x}.{n % 4}"
            functions.append(Function(f"{base}/{slot}", vendor, device, 0x8086, 0x0000, cls, 0x04,
                                      "skx_uncore" if cls == 0x110100 else "", "",
                                      (INTEL, model), None, n % 4 == 0, numa))
        for port in range(2):
            if card >= len(CARDS):
                break
            next_bus = root + 1 + port
            port_slot = f"0000:{root:02x}:{port:02x}.0"
            port_path = f"{base}/{port_slot}"
            functions.append(Function(port_path, 0x8086, 0x2030 + port, 0x15d9, 0x095d, 0x060400,
                                      0x04, "pcieport", "",
                                      (INTEL, f"Sky Lake-E PCI Express Root Port {'AB'[port]}"),
                                      (root, next_bus, next_bus), False, numa))
            (vendor, device, sv, sd, cls, rev, driver, module, vname, model, nfunc, vf) = CARDS[card]
            card += 1
            for f in range(nfunc):
                functions.append(Function(f"{port_path}/0000:{next_bus:02x}:00.{f}", vendor, device,
                                          sv, sd, cls, rev, driver, module, (vname, model), None,
                                          nfunc > 1, numa))
    # Fill up with SR-IOV virtual functions of the NICs, round robin, as a real host with
    # VFs enabled shows them: bus+1, device/function counting up.
    vf_specs = {(c[0], c[1]): c for c in CARDS if c[11]}
    nic_pfs = [fn for fn in functions if (fn.vendor, fn.device) in vf_specs and fn.slot.endswith(".0")]
    vf_count = {}
    n = 0
    while len(functions) < target:
        pf = nic_pfs[n % len(nic_pfs)]
        n += 1
        spec = vf_specs[(pf.vendor, pf.device)]
        vf_device, vf_driver, vf_module, vf_model = spec[11]
        k = vf_count.get(pf.slot, 0)
        vf_count[pf.slot] = k + 1
        bus = int(pf.slot[5:7], 16)
        slot = f"0000:{bus:02x}:{0x02 + k // 8:02x}.{k % 8}"
        parent = pf.path.rsplit("/", 1)[0]
        functions.append(Function(f"{parent}/{slot}", pf.vendor, vf_device, pf.sv, pf.sd,
                                  0x020000, pf.rev, vf_driver, vf_module, (spec[8], vf_model),
                                  None, False, pf.numa))
    return functions[:target]


def quote(value):
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def write_function(out, fn, irq):
    depth = fn.path.count("/") + 1
    cls = fn.pci_class
    modalias = (f"pci:v{fn.vendor:08X}d{fn.device:08X}sv{fn.sv:08X}sd{fn.sd:08X}"
                f"bc{cls >> 16:02X}sc{(cls >> 8) & 0xff:02X}i{cls & 0xff:02X}")
    out.append(f"P: /{fn.path}")
    if fn.driver:
        out.append(f"E: DRIVER={fn.driver}")
    out.append(f"E: PCI_CLASS={cls:X}")
    out.append(f"E: PCI_ID={fn.vendor:04X}:{fn.device:04X}")
    out.append(f"E: PCI_SUBSYS_ID={fn.sv:04X}:{fn.sd:04X}")
    out.append(f"E: PCI_SLOT_NAME={fn.slot}")
    out.append(f"E: MODALIAS={modalias}")
    out.append("E: SUBSYSTEM=pci")
    if fn.names:
        out.append(f"E: ID_PCI_CLASS_FROM_DATABASE={'Bridge' if cls >> 16 == 6 else 'Device'}")
        out.append(f"E: ID_VENDOR_FROM_DATABASE={fn.names[0]}")
        out.append(f"E: ID_MODEL_FROM_DATABASE={fn.names[1]}")
    attributes = [
        ("vendor", f"0x{fn.vendor:04x}"),
        ("device", f"0x{fn.device:04x}"),
        ("subsystem_vendor", f"0x{fn.sv:04x}"),
        ("subsystem_device", f"0x{fn.sd:04x}"),
        ("class", f"0x{cls:06x}"),
        ("revision", f"0x{fn.rev:02x}"),
        ("irq", str(irq)),
        ("enable", "1" if fn.driver else "0"),
        ("numa_node", str(fn.numa)),
        ("local_cpus", "00000000,00000000,0000ffff" if fn.numa == 0 else "00000000,00000000,ffff0000"),
        ("local_cpulist", "0-15" if fn.numa == 0 else "16-31"),
        ("modalias", modalias),
        ("broken_parity_status", "0"),
        ("msi_bus", "1"),
        ("d3cold_allowed", "1"),
        ("power_state", "D0"),
        ("current_link_speed", "8.0 GT/s PCIe"),
        ("current_link_width", "4"),
        ("max_link_speed", "8.0 GT/s PCIe"),
        ("max_link_width", "8"),
        ("ari_enabled", "0"),
        ("consistent_dma_mask_bits", "64"),
        ("dma_mask_bits", "64"),
        ("driver_override", "(null)"),
        ("resource", "0x00000000fb000000 0x00000000fb0fffff 0x0000000000040200\n" +
         "0x0000000000000000 0x0000000000000000 0x0000000000000000\n" * 12),
    ]
    for name, value in attributes:
        out.append(f"A: {name}={quote(value if value.endswith(chr(10)) else value + chr(10))}")
    out.append(f"H: config={config_space(fn, irq).hex().upper()}")
    if fn.driver:
        out.append(f"L: driver={'../' * depth}bus/pci/drivers/{fn.driver}")
    out.append("")


def write_usb(out, controller, bus, devices):
    """A root hub and devices below it; returns the (driver, module) pairs used."""
    used = set()
    depth = controller.path.count("/") + 2
    hub = f"{controller.path}/usb{bus}"
    root_product = 0x0002 if bus % 2 else 0x0003
    out += [f"P: /{hub}", "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: SUBSYSTEM=usb",
            f"E: PRODUCT=1d6b/{root_product:x}/606", "E: ID_VENDOR_FROM_DATABASE=Linux Foundation",
            f"E: ID_MODEL_FROM_DATABASE={'2.0' if bus % 2 else '3.0'} root hub",
            "A: idVendor=1d6b\\n", f"A: idProduct={root_product:04x}\\n", f"A: busnum={bus}\\n",
            f"L: driver={'../' * depth}bus/usb/drivers/usb", ""]
    out += [f"P: /{hub}/{bus}-0:1.0", "E: DEVTYPE=usb_interface", "E: DRIVER=hub", "E: SUBSYSTEM=usb",
            f"L: driver={'../' * (depth + 1)}bus/usb/drivers/hub", ""]
    used |= {("usb", "usbcore"), ("hub", "usbcore")}
    for port, (vendor, product, driver, module, vname, pname) in enumerate(devices, start=1):
        name = f"{bus}-{port}"
        out += [f"P: /{hub}/{name}", "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: SUBSYSTEM=usb",
                f"E: PRODUCT={vendor:x}/{product:x}/100", f"E: ID_VENDOR_FROM_DATABASE={vname}",
                f"E: ID_MODEL_FROM_DATABASE={pname}", f"A: idVendor={vendor:04x}\\n",
                f"A: idProduct={product:04x}\\n", f"A: busnum={bus}\\n",
                f"L: driver={'../' * (depth + 1)}bus/usb/drivers/usb", ""]
        out += [f"P: /{hub}/{name}/{name}:1.0", "E: DEVTYPE=usb_interface", f"E: DRIVER={driver}",
                "E: SUBSYSTEM=usb", f"L: driver={'../' * (depth + 2)}bus/usb/drivers/{driver}", ""]
        used.add((driver, module))
    return used


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="output prefix: writes PREFIX.umockdev and PREFIX.sysfs")
    parser.add_argument("--pci-count", type=int, default=200)
    args = parser.parse_args()

    functions = machine_functions(args.pci_count)
    if len(functions) != args.pci_count:
        sys.exit(f"gen_machine: only {len(functions)} functions, wanted {args.pci_count}")
    functions.sort(key=lambda fn: fn.slot)
    out = []
    for number, fn in enumerate(functions):
        write_function(out, fn, 16 + number % 200)
    by_slot = {fn.slot: fn for fn in functions}
    usb_drivers = set()
    usb_drivers |= write_usb(out, by_slot["0000:00:14.0"], 1, [
        (0x046b, 0xff10, "usbhid", "usbhid", "American Megatrends, Inc.", "Virtual Keyboard and Mouse"),
        (0x0781, 0x5583, "usb-storage", "usb_storage", "SanDisk Corp.", "Ultra Fit"),
    ])
    usb_drivers |= write_usb(out, by_slot["0000:00:14.0"], 2, [])
    usb_drivers |= write_usb(out, by_slot["0000:01:00.0"], 3, [
        (0x0bda, 0x8153, "r8152", "r8152", "Realtek Semiconductor Corp.", "RTL8153 Gigabit Ethernet Adapter"),
    ])
    usb_drivers |= write_usb(out, by_slot["0000:01:00.0"], 4, [])
    out += ["P: /devices/virtual/dmi/id", "E: SUBSYSTEM=dmi", "A: sys_vendor=Supermicro\\n",
            "A: product_name=SYS-2029U-TR4\\n", "A: product_version=0123456789\\n",
            "A: product_family=SMC X11\\n", "A: board_vendor=Supermicro\\n", "A: board_name=X11DPU\\n",
            "A: bios_version=3.4\\n", ""]

    sysfs = ["# Extra files for the umockdev testbed: what lies outside /devices.",
             "# link PATH TARGET | file PATH CONTENT | dir PATH   (paths below /sys)"]
    modules = {}
    for fn in functions:
        if fn.driver and fn.module:
            modules.setdefault(fn.module, set()).add(("pci", fn.driver))
    for driver, module in sorted(usb_drivers):
        modules.setdefault(module, set()).add(("usb", driver))
    for module in sorted(modules):
        for bus, driver in sorted(modules[module]):
            sysfs.append(f"link bus/{bus}/drivers/{driver}/module ../../../../module/{module}")
    holders = {"usbcore": ["xhci_hcd", "xhci_pci", "usbhid", "usb_storage", "r8152"],
               "xhci_hcd": ["xhci_pci"], "mei": ["mei_me"], "drm": ["ast", "nouveau"]}
    for module in sorted(set(modules) | set(holders)):
        users = holders.get(module, [])
        sysfs += [f"file module/{module}/initstate live", f"file module/{module}/refcnt {len(users)}",
                  f"dir module/{module}/holders"]
        sysfs += [f"link module/{module}/holders/{user} ../../{user}" for user in users]

    with open(args.out + ".umockdev", "w", encoding="utf-8") as handle:
        handle.write("\n".join(out))
    with open(args.out + ".sysfs", "w", encoding="utf-8") as handle:
        handle.write("\n".join(sysfs) + "\n")
    print(f"gen_machine: {len(functions)} PCI functions -> {args.out}.umockdev, {args.out}.sysfs",
          file=sys.stderr)


if __name__ == "__main__":
    main()
