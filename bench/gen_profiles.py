#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes N synthetic, valid suspendfix profiles as OUT/<vendor>/<model>.yaml.

The mix resembles a grown database: most profiles name one PCI id, some add subsystem ids or
a class, a few are vendor-wide by class prefix, some name several devices, USB ids, DMI-only
models, kernel ranges on the profile and on named modules, sleep lists, device actions and
comment headers like the shipped profiles. Deterministic for a given --seed.

With --machine M.umockdev, random ids never hit that machine's devices by accident, and a
fixed handful of profiles are written to hit it on purpose (exact id, id + subsystem,
vendor-wide class prefix, USB id, DMI glob) or nearly (right id, wrong subsystem; right
device, kernel out of range), so that 1,000 and 10,000 profiles give the same matches.

Usage: gen_profiles.py --count N --out DIR [--machine M.umockdev] [--seed S]
"""

import argparse
import os
import random
import re
import sys

VENDORS = {
    0x8086: "intel", 0x10de: "nvidia", 0x1002: "amd", 0x1022: "amd", 0x10ec: "realtek",
    0x14e4: "broadcom", 0x168c: "qualcomm-atheros", 0x17cb: "qualcomm", 0x1033: "nec",
    0x1b21: "asmedia", 0x1912: "renesas", 0x1106: "via", 0x1180: "ricoh", 0x104c: "ti",
    0x197b: "jmicron", 0x1217: "o2micro", 0x15b3: "mellanox", 0x144d: "samsung", 0x1c5c: "sk-hynix",
    0x1987: "phison", 0x15b7: "sandisk", 0x1179: "toshiba", 0x1344: "micron", 0x1000: "lsi",
    0x9005: "adaptec", 0x1b4b: "marvell", 0x11ab: "marvell-ext", 0x1814: "ralink", 0x14c3: "mediatek",
    0x1969: "qualcomm-atheros-eth", 0x1a03: "aspeed", 0x8087: "intel-usb", 0x13fe: "advantech",
    0x1d6a: "aquantia", 0x1fc9: "tehuti", 0x1095: "silicon-image", 0x1283: "ite", 0x1131: "philips",
    0x14f1: "conexant", 0x1274: "ensoniq", 0x13f6: "cmedia", 0x1102: "creative", 0x109e: "brooktree",
}
USB_VENDORS = {
    0x046d: "logitech", 0x045e: "microsoft", 0x04f2: "chicony", 0x0bda: "realtek-usb",
    0x8087: "intel-bt", 0x0a5c: "broadcom-bt", 0x0cf3: "atheros-bt", 0x13d3: "imc-networks",
    0x138a: "validity", 0x06cb: "synaptics", 0x27c6: "goodix", 0x0781: "sandisk-usb",
    0x05ac: "apple", 0x04ca: "lite-on", 0x0489: "foxconn", 0x1199: "sierra", 0x2cb7: "fibocom",
    0x12d1: "huawei", 0x0b95: "asix", 0x2109: "via-labs",
}
PCI_MODULES = ["xhci_pci", "ehci_pci", "ohci_pci", "uhci_hcd", "iwlwifi", "iwlmvm", "ath9k", "ath10k_pci",
               "ath11k_pci", "brcmfmac", "b43", "wl", "rtw88_8822ce", "rtw89_8852ae", "r8169", "e1000e",
               "igb", "tg3", "bnx2", "alx", "atl1c", "snd_hda_intel", "snd_sof_pci_intel_tgl", "nvme",
               "ahci", "sdhci_pci", "rtsx_pci", "mei_me", "thunderbolt", "nouveau", "amdgpu", "radeon",
               "i915", "mt7921e", "firewire_ohci", "yenta_socket", "intel_lpss_pci", "i2c_i801",
               "cnic", "bnxt_en", "ixgbe", "i40e", "mlx5_core", "mpt3sas", "megaraid_sas"]
USB_MODULES = ["btusb", "btintel", "btrtl", "uvcvideo", "cdc_mbim", "qmi_wwan", "cdc_ether", "r8152",
               "ax88179_178a", "usbhid", "hid_multitouch", "usb_storage", "uas", "rtl8xxxu", "mt7601u"]
HELPER_MODULES = ["xhci_hcd", "ehci_hcd", "mac80211", "cfg80211", "bluetooth", "snd_hda_codec",
                  "videodev", "usbnet", "drm_kms_helper", "ttm", "mii", "libphy"]
KERNELS = ["2.6.32", "2.6.35", "2.6.38", "3.2", "3.5", "3.10", "3.13", "3.16", "3.18", "4.4",
           "4.9", "4.14", "4.15", "4.19", "5.4", "5.10", "5.15", "6.1", "6.6", "6.12"]
SLEEPS = ["suspend", "hibernate", "hybrid-sleep", "suspend-then-hibernate"]
DMI_MODELS = [
    ("LENOVO", "ThinkPad T4*"), ("LENOVO", "ThinkPad X2[0-9]0"), ("LENOVO", "IdeaPad *"),
    ("Dell Inc.", "Latitude E6*"), ("Dell Inc.", "XPS 13 93[0-9][0-9]"), ("Dell Inc.", "Inspiron 15*"),
    ("HP", "HP EliteBook 8[4-6]0*"), ("Hewlett-Packard", "HP Pavilion dv*"), ("ASUSTeK COMPUTER INC.", "UX3*"),
    ("Acer", "Aspire E5-*"), ("TOSHIBA", "SATELLITE L*"), ("FUJITSU", "LIFEBOOK E*"),
    ("Micro-Star International Co., Ltd.", "GS6*"), ("SAMSUNG ELECTRONICS CO., LTD.", "9*X*"),
    ("Apple Inc.", "MacBookPro1[0-4],*"), ("Framework", "Laptop*"), ("System76", "Lemur Pro"),
]
CLASSES = ["0c0330", "0c0320", "0c0310", "0c0300", "028000", "020000", "040300", "010802", "010601",
           "030000", "038000", "088000", "0c0010", "060700", "118000", "0c8000", "078000", "0c0500"]
SYMPTOMS = [
    "cannot freeze: 'PM: Device {dev} failed to freeze: error -16'",
    "hangs on resume unless its driver is reloaded",
    "wakes the machine immediately after suspend",
    "loses its firmware state across hibernate",
    "blocks s2idle entry: the package C-state stays at PC2",
    "fails to resume with 'timeout waiting for firmware'",
    "drains the battery in suspend unless unbound",
    "returns 0xffffffff reads after resume until reprobed",
]


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def read_machine(path):
    """PCI and USB ids and DMI of a umockdev file: (pci list, usb list, dmi dict)."""
    pci, usb, dmi = [], [], {}
    current = None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("P: "):
                current = {"path": line[3:]}
                if "/dmi/id" in line:
                    current = dmi
                elif "/usb" in line:
                    usb.append(current)
                else:
                    pci.append(current)
            elif line.startswith("A: ") and current is not None:
                name, _, value = line[3:].partition("=")
                current[name] = value.replace("\\n", "").strip()
            elif line.startswith("E: DEVTYPE=") and current is not None:
                current["devtype"] = line.split("=", 1)[1]
    pci = [{"vendor": int(d["vendor"], 16), "device": int(d["device"], 16),
            "sv": int(d["subsystem_vendor"], 16), "sd": int(d["subsystem_device"], 16),
            "class": int(d["class"], 16)} for d in pci if "vendor" in d]
    usb = [{"vendor": int(d["idVendor"], 16), "product": int(d["idProduct"], 16)}
           for d in usb if d.get("devtype") == "usb_device" and "idVendor" in d]
    return pci, usb, dmi


class Generator:
    def __init__(self, seed, machine):
        self.random = random.Random(seed)
        self.machine = machine
        self.pci_ids = {(d["vendor"], d["device"]) for d in machine[0]}
        self.pci_vendors = {d["vendor"] for d in machine[0]}
        self.usb_ids = {(d["vendor"], d["product"]) for d in machine[1]}
        self.usb_vendors = {d["vendor"] for d in machine[1]}
        self.extra_vendors = []
        while len(self.extra_vendors) < 300:  # the long tail of small vendors
            vendor = self.random.randrange(0x1100, 0x1ff0)
            if vendor not in VENDORS and vendor not in self.pci_vendors:
                self.extra_vendors.append(vendor)
        self.extra_usb_vendors = [self.random.randrange(0x0400, 0x3000) for _ in range(100)]

    # -- pieces ---------------------------------------------------------------------------

    def pci_vendor(self):
        r = self.random
        return r.choice(list(VENDORS)) if r.random() < 0.7 else r.choice(self.extra_vendors)

    def vendor_class(self, vendor):
        """A class prefix that none of the machine's devices from this vendor has."""
        r = self.random
        while True:
            prefix = r.choice(CLASSES)[: r.choice([2, 4, 6])]
            if not any(d["vendor"] == vendor and f"{d['class']:06x}".startswith(prefix)
                       for d in self.machine[0]):
                return prefix

    def pci_device(self, vendor):
        while True:
            device = self.random.randrange(0x0001, 0xfffe)
            if (vendor, device) not in self.pci_ids:
                return device

    def usb_id(self):
        r = self.random
        while True:
            vendor = r.choice(list(USB_VENDORS)) if r.random() < 0.8 else r.choice(self.extra_usb_vendors)
            product = r.randrange(0x0001, 0xfffe)
            if (vendor, product) not in self.usb_ids:
                return vendor, product

    def kernel_range(self, indent):
        r = self.random
        kind = r.random()
        a, b = sorted(r.sample(range(len(KERNELS)), 2))
        if kind < 0.4:
            return f'{{from: "{KERNELS[a]}"}}'
        if kind < 0.7:
            return f'{{before: "{KERNELS[b]}"}}'
        return f'{{from: "{KERNELS[a]}", before: "{KERNELS[b]}"}}'

    def modules(self, pool, count):
        out = []
        for name in self.random.sample(pool, count):
            if self.random.random() < 0.1:
                name = name.replace("_", "-")  # the parser normalises '-' to '_'
            out.append(name)
        return out

    # -- whole profiles -------------------------------------------------------------------

    def profile(self, index, forced=None):
        """Returns (relative path, yaml text)."""
        r = self.random
        kind = forced["kind"] if forced else r.choices(
            ["pci", "pci-subsys", "pci-class", "pci-vendor-class", "pci-multi", "usb", "usb-vendor",
             "pci-usb", "dmi", "pci-dmi"],
            weights=[35, 15, 8, 2, 8, 15, 1, 3, 8, 5])[0]
        pci_entries, usb_entries, dmi = [], [], []
        if forced:
            pci_entries = forced.get("pci", [])
            usb_entries = forced.get("usb", [])
            dmi = forced.get("dmi", [])
        else:
            if kind.startswith("pci"):
                count = r.randint(2, 4) if kind == "pci-multi" else 1
                vendor = self.pci_vendor()
                for _ in range(count):
                    entry = {"vendor": vendor}
                    if kind != "pci-vendor-class":
                        entry["device"] = self.pci_device(vendor)
                    if kind == "pci-subsys" or (kind == "pci-multi" and r.random() < 0.3):
                        entry["subsystem_vendor"] = r.choice([0x17aa, 0x1028, 0x103c, 0x1043, 0x1025, 0x144d, vendor])
                        if r.random() < 0.8:
                            entry["subsystem_device"] = r.randrange(0x0001, 0xfffe)
                    if kind == "pci-class":
                        entry["class"] = r.choice(CLASSES)
                    if kind == "pci-vendor-class":
                        entry["class"] = self.vendor_class(vendor)
                    pci_entries.append(entry)
            if kind in ("usb", "usb-vendor", "pci-usb"):
                vendor, product = self.usb_id()
                if kind == "usb-vendor":
                    while vendor in self.usb_vendors:
                        vendor, product = self.usb_id()
                usb_entries.append({"vendor": vendor} if kind == "usb-vendor"
                                   else {"vendor": vendor, "product": product})
            if kind in ("dmi", "pci-dmi"):
                sys_vendor, product = r.choice(DMI_MODELS)
                dmi = [("sys_vendor", sys_vendor)]
                dmi.append(("product_version" if sys_vendor == "LENOVO" else "product_name", product))
                if r.random() < 0.2:
                    dmi.append(("bios_version", r.choice(["1.*", "A0[0-9]", "*WW (1.2*"])))

        if pci_entries:
            vendor_dir = VENDORS.get(pci_entries[0]["vendor"], f"pci-{pci_entries[0]['vendor']:04x}")
        elif usb_entries:
            vendor_dir = USB_VENDORS.get(usb_entries[0]["vendor"], f"usb-{usb_entries[0]['vendor']:04x}")
        else:
            vendor_dir = "models-" + slug(dmi[0][1])[:24]
        if forced:
            model = forced["name"]
        elif pci_entries and "device" in pci_entries[0]:
            model = f"{pci_entries[0]['vendor']:04x}-{pci_entries[0]['device']:04x}"
        elif usb_entries and "product" in usb_entries[0]:
            model = f"usb-{usb_entries[0]['vendor']:04x}-{usb_entries[0]['product']:04x}"
        else:
            model = slug(dmi[1][1] if dmi else kind)[:30] or kind
        model = f"{model}-{index:05d}"
        profile_id = f"{vendor_dir}-{model}"

        lines = []
        symptom = r.choice(SYMPTOMS).format(dev=f"{index:04x}:00:00.0")
        lines.append(f"# Synthetic profile {index} ({kind}), written by bench/gen_profiles.py.")
        for _ in range(r.randint(1, 5)):
            lines.append("# " + r.choice([
                "Reported on the mailing list; the driver's suspend callback returns -EBUSY.",
                "Unloading the module before suspend and reloading it on resume works around it.",
                "Fixed upstream in a later kernel, hence the kernel range below.",
                "The device comes back with its link down; a remove + rescan would also work.",
                "Seen with both the in-tree driver and the vendor's out-of-tree module.",
                "Firmware bug: the BIOS leaves the device in D3cold on the way back.",
            ]))
        lines.append(f"id: {profile_id}")
        what = "Device" if pci_entries or usb_entries else "Model"
        lines.append(f'description: "{what} {model} {symptom}"')
        lines.append("sources:")
        for source in range(r.randint(1, 3)):
            lines.append(f'  - "https://bugs.example.org/show_bug.cgi?id={r.randrange(10000, 999999)}"')
        if r.random() < 0.15:
            lines.append('notes: "Verified on two machines; the others in the thread did not test hibernate."')
        lines.append("match:")
        if pci_entries:
            lines.append("  pci:")
            for entry in pci_entries:
                first = True
                for key in ("vendor", "device", "subsystem_vendor", "subsystem_device", "class"):
                    if key not in entry:
                        continue
                    value = entry[key] if key == "class" else f"{entry[key]:04x}"
                    lines.append(f'    {"- " if first else "  "}{key}: "{value}"')
                    first = False
        if usb_entries:
            lines.append("  usb:")
            for entry in usb_entries:
                lines.append(f'    - vendor: "{entry["vendor"]:04x}"')
                if "product" in entry:
                    lines.append(f'      product: "{entry["product"]:04x}"')
        if dmi:
            lines.append("  dmi:")
            for field, pattern in dmi:
                lines.append(f'    {field}: "{pattern}"')
        kernel = forced.get("kernel") if forced else (self.kernel_range(2) if r.random() < 0.25 else None)
        if kernel:
            lines.append(f"  kernel: {kernel}")
        if forced and "sleep" in forced:
            lines.append(f"sleep: [{', '.join(forced['sleep'])}]")
        elif not forced and r.random() < 0.4:
            lines.append(f"sleep: [{', '.join(r.sample(SLEEPS, r.randint(1, 4)))}]")

        lines.append("actions:")
        has_device = bool(pci_entries or usb_entries)
        pool = USB_MODULES if usb_entries and not pci_entries else PCI_MODULES
        if has_device and (forced or r.random() < 0.75):
            lines.append("  unload_bound_module: true")
        named = forced.get("modules", []) if forced else []
        if not forced and (not has_device or r.random() < 0.5):
            named = [(name, self.kernel_range(6) if r.random() < 0.3 else None)
                     for name in self.modules(pool + HELPER_MODULES, r.randint(1, 3))]
        if has_device and not named and "unload_bound_module: true" not in lines[-1]:
            named = [(r.choice(pool), None)]
        if named:
            lines.append("  unload_modules:")
            for name, kernel_range in named:
                if kernel_range:
                    lines.append(f"    - name: {name}")
                    lines.append(f"      kernel: {kernel_range}")
                else:
                    lines.append(f"    - {name}")
        if has_device and not forced and r.random() < 0.1:
            lines.append(f"  device: {r.choice(['unbind', 'remove'])}")
        elif has_device and not forced and r.random() < 0.15:
            lines.append(f"  fallback: {r.choice(['unbind', 'remove'])}")
        return f"{vendor_dir}/{model}.yaml", "\n".join(lines) + "\n"


def planted(machine):
    """Profiles that hit (or nearly hit) the testbed on purpose."""
    pci, usb, dmi = machine
    out = []

    def find(vendor, device=None):
        return next((d for d in pci if d["vendor"] == vendor and (device is None or d["device"] == device)), None)

    x710 = find(0x8086, 0x1572)
    if x710:
        out.append({"kind": "pci", "name": "x710-hits", "pci": [{"vendor": 0x8086, "device": 0x1572}],
                    "modules": [("i40e", None)]})
    mlx = find(0x15b3, 0x1017)
    if mlx:
        out.append({"kind": "pci-subsys", "name": "connectx5-hits",
                    "pci": [{"vendor": 0x15b3, "device": 0x1017, "subsystem_vendor": mlx["sv"],
                             "subsystem_device": mlx["sd"]}]})
        out.append({"kind": "pci-subsys", "name": "connectx5-wrong-subsystem",  # index hit, no match
                    "pci": [{"vendor": 0x15b3, "device": 0x1017, "subsystem_vendor": 0x1028,
                             "subsystem_device": 0x0001}]})
    asm = find(0x1b21)
    if asm:
        out.append({"kind": "pci-vendor-class", "name": "asmedia-xhci-hits",
                    "pci": [{"vendor": 0x1b21, "class": f"{asm['class']:06x}"[:4]}]})
    nvme = find(0x144d, 0xa808)
    if nvme:
        out.append({"kind": "pci", "name": "pm983-old-kernels", "kernel": '{before: "3.18"}',
                    "pci": [{"vendor": 0x144d, "device": 0xa808}], "sleep": ["hibernate"]})
    if usb:
        device = next((d for d in usb if d["vendor"] != 0x1d6b), usb[0])
        out.append({"kind": "usb", "name": "usb-hits",
                    "usb": [{"vendor": device["vendor"], "product": device["product"]}]})
    if dmi.get("sys_vendor") and dmi.get("product_name"):
        out.append({"kind": "dmi", "name": "model-hits",
                    "dmi": [("sys_vendor", dmi["sys_vendor"]), ("product_name", dmi["product_name"][:-1] + "*")],
                    "modules": [("ipmi_si", None)]})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--machine", help="umockdev file whose devices some profiles match on purpose")
    parser.add_argument("--seed", type=int, default=20240229)
    args = parser.parse_args()

    machine = read_machine(args.machine) if args.machine else ([], [], {})
    generator = Generator(args.seed, machine)
    forced = planted(machine)
    written = 0
    sizes = 0
    plants = {i * args.count // len(forced): plant for i, plant in enumerate(forced)} if forced else {}
    for index in range(args.count):
        plant = plants.get(index)
        relative, text = generator.profile(index, plant)
        path = os.path.join(args.out, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        written += 1
        sizes += len(text)
    print(f"gen_profiles: {written} profiles ({len(forced)} aimed at the machine), "
          f"{sizes / max(1, written):.0f} bytes each on average -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
