#!/usr/bin/env python3
"""run-vm.py - boot the suspendfix test initramfs under QEMU (TCG), drive its sleep
cycles over QMP, and judge the marker lines the guest prints.

    run-vm.py --kernel VMLINUZ --initrd INITRD [--scenario NAME]... [--artefacts DIR]
    run-vm.py --cache CACHE_DIR --initrd INITRD ...   (kernel: CACHE's stamp of $SFX_VM_KERNEL)

Host side of the protocol (see guest-lib.sh for the guest side):
  * QEMU: -accel tcg -machine pc -global PIIX4_PM.disable_s3=0, NEC uPD720200
    (nec-usb-xhci, 1033:0194) + e1000e, optional usb-storage disk on the NEC bus,
    console on ttyS0 -> console.log, marker port ttyS1 -> markers.log, QMP unix socket.
  * Whenever query-status says "suspended" the host sends system_wakeup after
    --wake-delay seconds (held back up to --rtc-grace s after @@WAKE-BY-RTC, and for every
    S3 between @@RTC-WAKES on and @@RTC-WAKES off: the guest's RTC alarm wakes it).
  * After @@WAKE-BY-POWERBUTTON the host waits until the guest kernel prints
    "PM: suspend-to-idle" (guest-lib enables pm_debug_messages), then presses the ACPI
    power button (system_powerdown), re-pressing every --press-retry s until the guest
    prints "@@WOKE freeze"; if that kernel line never shows it presses anyway after
    --press-fallback s.
  * Pass only if: the guest booted (@@BOOTED), printed @@DONE, every requested scenario
    began and ended with rc=0, each scenario had at least one check, no @@FAIL, no kernel
    panic/oops/BUG, and QEMU neither timed out nor crashed.

Exit codes: 0 pass, 1 test failure, 2 timeout, 3 guest never booted, 4 harness/QEMU error.
Python 3 standard library only.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

EXIT_PASS, EXIT_FAIL, EXIT_TIMEOUT, EXIT_NOBOOT, EXIT_ERROR = 0, 1, 2, 3, 4

MARKER_RE = re.compile(
    r"@@(BOOTED|BEGIN|END|PASS|FAIL|XFAIL|SKIP|TSTART|TIME|INFO|DONE|SLEEP|WOKE|"
    r"WAKE-BY-POWERBUTTON|WAKE-BY-RTC|RTC-WAKES)(?:[ \t]+(.*?))?[ \t]*$")
KERNEL_BAD_RE = re.compile(r"Kernel panic|Oops:|BUG:|general protection fault|"
                           r"Unable to handle kernel")
USBDISK_MAGIC = b"SUSPENDFIX-VM-USBDISK\n"


def log(msg):
    print(f"run-vm: {msg}", file=sys.stderr, flush=True)


class QMP:
    """Minimal QMP client over a unix socket (line-delimited JSON)."""

    def __init__(self, path, proc, connect_timeout=20.0):
        self.events = []
        self.sock = None
        self.buf = b""
        self.closed = False
        self._id = 0
        deadline = time.monotonic() + connect_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError("QEMU exited before its QMP socket came up")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                self.sock = s
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"cannot connect to QMP socket {path}")
                time.sleep(0.05)
        self.sock.settimeout(10)
        greeting = self._read_msg()
        if "QMP" not in greeting:
            raise RuntimeError(f"unexpected QMP greeting: {greeting}")
        self.cmd("qmp_capabilities")

    def _read_msg(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed = True
                raise EOFError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line.decode("utf-8", "replace"))

    def cmd(self, name, args=None):
        if self.closed:
            raise EOFError("QMP closed")
        self._id += 1
        msg = {"execute": name, "id": self._id}
        if args:
            msg["arguments"] = args
        try:
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
            while True:
                m = self._read_msg()
                if "event" in m:
                    self.events.append(m)
                    continue
                if m.get("id") != self._id:
                    continue
                if "error" in m:
                    raise RuntimeError(f"QMP {name}: {m['error']}")
                return m.get("return")
        except (OSError, ValueError) as e:
            self.closed = True
            raise EOFError(str(e)) from e

    def close(self):
        try:
            if self.sock:
                self.sock.close()
        except OSError:
            pass
        self.closed = True


class Tail:
    """Incrementally read a growing file; keeps parsed markers incrementally."""

    def __init__(self, path):
        self.path = path
        self.data = b""
        self.markers = []
        self._parsed_upto = 0

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(len(self.data))
                new = f.read()
        except FileNotFoundError:
            return b""
        self.data += new
        # parse complete lines only
        end = self.data.rfind(b"\n") + 1
        if end > self._parsed_upto:
            chunk = self.data[self._parsed_upto:end].decode("utf-8", "replace")
            t = time.monotonic()
            self.markers.extend((k, p, t) for k, p in parse_markers(chunk))
            self._parsed_upto = end
        return new

    def finish(self):
        """Parse a trailing line without newline (after QEMU exited)."""
        self.poll()
        if self._parsed_upto < len(self.data):
            chunk = self.data[self._parsed_upto:].decode("utf-8", "replace")
            t = time.monotonic()
            self.markers.extend((k, p, t) for k, p in parse_markers(chunk))
            self._parsed_upto = len(self.data)

    @property
    def text(self):
        return self.data.decode("utf-8", "replace")

    def count(self, kind, prefix=None):
        return sum(1 for k, p, _ in self.markers
                   if k == kind and (prefix is None or p.startswith(prefix)))


def parse_markers(text):
    out = []
    for raw in text.splitlines():
        line = raw.replace("\r", "")
        m = MARKER_RE.search(line)
        if m:
            out.append((m.group(1), (m.group(2) or "").strip()))
    return out


def make_usb_disk(path, size_mb):
    with open(path, "wb") as f:
        f.truncate(size_mb * 1024 * 1024)
        f.seek(0)
        f.write(USBDISK_MAGIC)
        f.seek(size_mb * 1024 * 1024 - 512)
        f.write(USBDISK_MAGIC)


def kernel_from_cache(cache):
    # fetch-kernel.sh's stamp of the kernel series SFX_VM_KERNEL names (6.1 by default)
    series = os.environ.get("SFX_VM_KERNEL") or "6.1"
    stamp = "kernel.stamp" if series == "6.1" else f"kernel-{series}.stamp"
    with open(os.path.join(cache, stamp)) as f:
        kver = f.read().strip()
    return os.path.join(cache, f"kernel-{kver}", "root", "boot", f"vmlinuz-{kver}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--kernel", help="vmlinuz to boot")
    ap.add_argument("--cache", help="fetch-kernel.sh cache dir (alternative to --kernel)")
    ap.add_argument("--initrd", required=True, help="initramfs from build-initramfs.sh")
    ap.add_argument("--scenario", action="append", default=[],
                    help="scenario name (/sfx/scenarios/NAME.sh); repeat or comma-separate "
                         "to run several in one boot, in order")
    ap.add_argument("--append", default="", help="extra kernel command line")
    ap.add_argument("--timeout", type=float, default=240, help="hard wall-clock limit, s")
    ap.add_argument("--artefacts", help="copy logs here (on failure, or always with --keep-logs)")
    ap.add_argument("--keep-logs", action="store_true")
    ap.add_argument("--name", help="label of this run (artefact subdirectory)")
    ap.add_argument("--workdir", help="where logs/sockets go (default: a temp dir, removed)")
    ap.add_argument("--usb-disk", help="raw image to attach as usb-storage on the NEC bus")
    ap.add_argument("--usb-disk-mb", type=int, default=0,
                    help="create a raw test disk of this size (magic string at sector 0)")
    ap.add_argument("--no-nec", action="store_true", help="omit the NEC xHCI controller")
    ap.add_argument("--no-e1000e", action="store_true")
    ap.add_argument("--edu", action="store_true",
                    help="add QEMU's edu test device (PCI 1234:11e8, bound by the test driver)")
    ap.add_argument("--rng", action="store_true",
                    help="add virtio-rng-pci: the guest kernel's random pool is ready at once "
                         "(TCG has no RDRAND; sysvinit's boot waits for it otherwise)")
    ap.add_argument("--disk", help="root disk image (virtio-blk, opened with snapshot=on: the "
                                   "image itself is never written)")
    ap.add_argument("--machine", default="pc", help="QEMU machine (q35 is unreliable for S3)")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument")
    ap.add_argument("--wake-delay", type=float, default=0.5,
                    help="seconds to leave the guest in S3 before system_wakeup")
    ap.add_argument("--rtc-grace", type=float, default=15.0)
    ap.add_argument("--press-retry", type=float, default=3.0)
    ap.add_argument("--press-fallback", type=float, default=10.0)
    ap.add_argument("--max-presses", type=int, default=6)
    ap.add_argument("--console", action="store_true", help="stream the guest console to stderr")
    ap.add_argument("--json", help="also write the machine-readable summary here")
    args = ap.parse_args()

    scenarios = [s for arg in args.scenario for s in arg.split(",") if s]
    if not args.kernel:
        if not args.cache:
            ap.error("need --kernel or --cache")
        try:
            args.kernel = kernel_from_cache(args.cache)
        except OSError as e:
            log(f"no kernel in cache: {e}")
            return EXIT_ERROR
    for f in (args.kernel, args.initrd) + ((args.disk,) if args.disk else ()):
        if not os.path.isfile(f):
            log(f"missing file: {f}")
            return EXIT_ERROR
    if shutil.which(args.qemu) is None:
        log(f"{args.qemu} not found (apt-get install qemu-system-x86)")
        return EXIT_ERROR
    label = args.name or ("+".join(scenarios) if scenarios else "default")
    label = re.sub(r"[^A-Za-z0-9_.+-]", "_", label)

    work = args.workdir or tempfile.mkdtemp(prefix=f"sfx-vm-{label}.")
    os.makedirs(work, exist_ok=True)
    console_log = os.path.join(work, "console.log")
    marker_log = os.path.join(work, "markers.log")
    host_log_path = os.path.join(work, "host.log")
    qemu_err = os.path.join(work, "qemu.stderr")
    qmp_sock = os.path.join(work, "qmp.sock")
    for p in (console_log, marker_log, qmp_sock):
        if os.path.exists(p):
            os.unlink(p)
    host_log = open(host_log_path, "w")
    t_start = time.monotonic()

    def hlog(msg):
        host_log.write(f"[{time.monotonic() - t_start:8.2f}] {msg}\n")
        host_log.flush()

    disk = args.usb_disk
    if not disk and args.usb_disk_mb:
        disk = os.path.join(work, "usbdisk.img")
        make_usb_disk(disk, args.usb_disk_mb)
    if disk and args.no_nec:
        log("--usb-disk needs the NEC controller")
        return EXIT_ERROR

    # log_buf_len: the scenarios find a cycle's kernel messages after a /dev/kmsg marker; the
    # default 128 KiB ring would wrap during the long scenarios and lose the markers
    cmdline = "console=ttyS0,115200 loglevel=4 no_console_suspend panic=-1 log_buf_len=4M"
    if scenarios:
        cmdline += " sfx.scenario=" + ",".join(scenarios)
    if disk:
        cmdline += " sfx.usbdisk=1"
    if args.append:
        cmdline += " " + args.append

    qemu = [args.qemu, "-accel", args.accel, "-machine", args.machine,
            "-global", "PIIX4_PM.disable_s3=0",
            "-m", args.mem, "-smp", str(args.smp),
            "-kernel", args.kernel, "-initrd", args.initrd, "-append", cmdline,
            "-display", "none", "-monitor", "none", "-nodefaults", "-no-reboot",
            "-serial", f"file:{console_log}", "-serial", f"file:{marker_log}",
            "-qmp", f"unix:{qmp_sock},server=on,wait=off"]
    if not args.no_nec:
        qemu += ["-device", "nec-usb-xhci,id=xhci"]
    if not args.no_e1000e:
        qemu += ["-netdev", "user,id=net0,restrict=on", "-device", "e1000e,netdev=net0"]
    if args.edu:
        qemu += ["-device", "edu"]
    if args.rng:
        qemu += ["-device", "virtio-rng-pci"]
    if args.disk:
        qemu += ["-drive", f"file={args.disk},if=virtio,format=raw,snapshot=on"]
    if disk:
        qemu += ["-drive", f"if=none,id=usbdisk,file={disk},format=raw",
                 "-device", "usb-storage,bus=xhci.0,drive=usbdisk"]
    qemu += args.qemu_arg
    full = ["timeout", "--kill-after=5", str(int(args.timeout)), *qemu]
    hlog("exec " + " ".join(full))
    log(f"[{label}] booting (workdir {work})")

    err_f = open(qemu_err, "w")
    proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=err_f, stderr=err_f)
    console, markers = Tail(console_log), Tail(marker_log)

    harness_error = None
    qmp = None
    try:
        qmp = QMP(qmp_sock, proc)
    except Exception as e:  # noqa: BLE001 - report any failure to talk to QEMU
        harness_error = f"QMP: {e}"
        hlog(harness_error)

    # ---- state
    t_booted = None
    t_done = None
    status = None
    last_status_poll = 0.0
    s3_since = None          # monotonic time status became "suspended"
    s3_wake_sent = None
    s3_rtc = False           # the current S3 is meant to be woken by the RTC
    s3_cycles = []           # host-observed seconds in S3
    rtc_used = 0
    rtc_wakes = 0            # S3 cycles that ended without a host wakeup
    pb_requests = 0          # @@WAKE-BY-POWERBUTTON seen
    pb_served = 0            # ... of which the guest reported @@WOKE freeze
    pb_state = None          # the pending request
    presses = 0
    timed_out = False
    hard_deadline = t_start + args.timeout + 10

    def count(kind, prefix=None):
        # markers travel on both serial ports; take whichever saw more
        return max(console.count(kind, prefix), markers.count(kind, prefix))

    def rtc_mode_on():
        # the last @@RTC-WAKES marker says whether the guest's RTC alarm wakes every S3
        last = [p for k, p, _ in (markers if markers.count("BOOTED") else console).markers
                if k == "RTC-WAKES"]
        return bool(last) and last[-1].startswith("on")

    def press(reason):
        nonlocal presses
        try:
            qmp.cmd("system_powerdown")
            presses += 1
            hlog(f"power button pressed ({reason})")
        except Exception as e:  # noqa: BLE001
            hlog(f"system_powerdown failed: {e}")

    while True:
        now = time.monotonic()
        new_c = console.poll()
        markers.poll()
        if args.console and new_c:
            sys.stderr.write(new_c.decode("utf-8", "replace"))
            sys.stderr.flush()

        if t_booted is None and count("BOOTED"):
            t_booted = now
            hlog(f"guest booted after {now - t_start:.2f}s")
        if t_done is None and count("DONE"):
            t_done = now
            hlog("guest reported @@DONE")

        # ---- s2idle: press the power button once the guest kernel is idle
        n_pb = count("WAKE-BY-POWERBUTTON")
        if n_pb > pb_requests:
            pb_requests = n_pb
            pb_state = {"t": now, "idle_seen": None, "last_press": None, "presses": 0}
            hlog(f"power-button wake requested (#{pb_requests})")
        if pb_state is not None:
            ctext = console.text
            pos, k = 0, 0
            for mm in re.finditer(r"@@WAKE-BY-POWERBUTTON", ctext):
                k += 1
                pos = mm.end()
                if k == pb_requests:
                    break
            after = ctext[pos:] if k >= pb_requests else ""
            woke = count("WOKE", "freeze")
            if woke >= pb_requests or re.search(r"PM: suspend exit", after):
                hlog(f"guest woke from s2idle #{pb_requests} after "
                     f"{pb_state['presses']} press(es)")
                pb_served += 1
                pb_state = None
            elif qmp and not qmp.closed:
                if pb_state["idle_seen"] is None and re.search(r"PM: suspend-to-idle", after):
                    pb_state["idle_seen"] = now
                    hlog("guest kernel reports suspend-to-idle")
                lp = pb_state["last_press"]
                due = False
                if pb_state["presses"] < args.max_presses:
                    if lp is None:
                        due = ((pb_state["idle_seen"] is not None
                                and now - pb_state["idle_seen"] >= 0.3)
                               or now - pb_state["t"] >= args.press_fallback)
                    else:
                        due = now - lp >= args.press_retry
                if due:
                    press("s2idle" if pb_state["idle_seen"] else
                          "s2idle fallback, no suspend-to-idle line seen")
                    pb_state["last_press"] = now
                    pb_state["presses"] += 1

        # ---- S3: wake whenever QEMU says the guest is suspended
        if qmp and not qmp.closed and now - last_status_poll >= 0.2:
            last_status_poll = now
            try:
                st = qmp.cmd("query-status").get("status")
            except Exception:  # noqa: BLE001 - QEMU going away
                st = None
            if st != status:
                hlog(f"status {status} -> {st}")
                if status == "suspended" and st == "running" and s3_since is not None:
                    s3_cycles.append(now - s3_since)
                    if s3_rtc and s3_wake_sent is None:
                        rtc_wakes += 1
                    s3_since = None
                    s3_wake_sent = None
                status = st
            if st == "suspended":
                if s3_since is None:
                    s3_since = now
                    rtc_req = count("WAKE-BY-RTC")
                    # an unconsumed @@WAKE-BY-RTC, or @@RTC-WAKES on (until @@RTC-WAKES off)
                    s3_rtc = rtc_req > rtc_used or rtc_mode_on()
                    rtc_used = rtc_req
                hold = args.rtc_grace if s3_rtc else args.wake_delay
                if now - s3_since >= hold and (s3_wake_sent is None or now - s3_wake_sent > 2.0):
                    if s3_rtc:
                        hlog("RTC did not wake the guest in time; waking over QMP")
                    try:
                        qmp.cmd("system_wakeup")
                        s3_wake_sent = now
                        hlog("system_wakeup sent")
                    except Exception as e:  # noqa: BLE001
                        hlog(f"system_wakeup failed: {e}")

        if proc.poll() is not None:
            break
        if now > hard_deadline:
            timed_out = True
            hlog("hard deadline passed; killing QEMU")
            proc.kill()
            proc.wait()
            break
        time.sleep(0.05)

    rc_qemu = proc.returncode
    t_end = time.monotonic()
    if qmp:
        qmp.close()
    console.finish()
    markers.finish()
    err_f.close()
    if rc_qemu in (124, 137, -9):
        timed_out = True
    hlog(f"QEMU exited rc={rc_qemu} after {t_end - t_start:.2f}s")
    host_log.close()

    # ------------------------------------------------------------ judge ----
    channel = markers if markers.count("BOOTED") else console
    parsed = channel.markers
    booted = any(k == "BOOTED" for k, _, _ in parsed)
    done = any(k == "DONE" for k, _, _ in parsed)

    groups = {}
    order = []

    def group(name):
        if name not in groups:
            groups[name] = {"pass": [], "fail": [], "xfail": [], "skip": [], "time": [], "info": [],
                            "host_time": [], "sleeps": [],
                            "begun": False, "ended": False, "rc": None}
            order.append(name)
        return groups[name]

    cur = "(init)"
    group(cur)
    tstarts = {}             # timer name -> host time of @@TSTART
    sleep_start = None
    for kind, payload, t_host in parsed:
        g = group(cur)
        if kind == "TSTART":
            tstarts[payload.split()[0] if payload else ""] = t_host
        elif kind == "TIME" and payload:
            tname = payload.split()[0]
            if tname in tstarts:
                g["host_time"].append(f"{tname} {t_host - tstarts.pop(tname):.2f}")
        elif kind == "SLEEP":
            sleep_start = (payload, t_host)
        elif kind == "WOKE" and sleep_start:
            g["sleeps"].append(f"{sleep_start[0]} {t_host - sleep_start[1]:.2f}")
            sleep_start = None
        if kind == "BEGIN":
            cur = payload.split()[0] if payload else "?"
            group(cur)["begun"] = True
        elif kind == "END":
            name = payload.split()[0] if payload else cur
            m = re.search(r"rc=(\d+)", payload)
            gg = group(name)
            gg["ended"] = True
            gg["rc"] = int(m.group(1)) if m else None
            cur = "(init)"
        elif kind in ("PASS", "FAIL", "XFAIL", "SKIP", "TIME", "INFO"):
            g[kind.lower()].append(payload)

    problems = []
    if harness_error:
        problems.append(harness_error)
    if not booted:
        problems.append("guest never booted (no @@BOOTED)")
    if timed_out:
        problems.append(f"timeout after {args.timeout:.0f}s")
    if booted and not done:
        problems.append("no @@DONE from the guest")
    if rc_qemu != 0 and not timed_out:
        problems.append(f"QEMU exited with rc={rc_qemu}")
    bad = [ln for ln in console.text.splitlines() if KERNEL_BAD_RE.search(ln)]
    if bad:
        problems.append(f"kernel trouble on console: {bad[0].strip()[:160]}")
    for s in scenarios:
        name = os.path.basename(s)[:-3] if s.endswith(".sh") else s
        g = groups.get(name)
        if booted and (g is None or not g["begun"]):
            problems.append(f"scenario {name} never began")
    total_pass = 0
    for name in order:
        g = groups[name]
        total_pass += len(g["pass"])
        if g["fail"]:
            problems.append(f"{name}: {len(g['fail'])} failed check(s)")
        if name != "(init)":
            if g["begun"] and not g["ended"]:
                problems.append(f"scenario {name} did not finish")
            if g["ended"] and g["rc"] != 0:
                problems.append(f"scenario {name} exited rc={g['rc']}")
            if g["begun"] and not g["pass"] and not g["fail"] and not g["xfail"]:
                problems.append(f"scenario {name} ran no checks")
    if booted and total_pass == 0:
        problems.append("no check passed at all")

    ok = not problems
    # ------------------------------------------------------------ report ---
    out = [f"== suspendfix VM run [{label}]: {'PASS' if ok else 'FAIL'}"]
    boot_s = f"{t_booted - t_start:.1f}s" if t_booted else "never"
    s3 = ", ".join(f"{c:.2f}" for c in s3_cycles) or "-"
    out.append(f"   boot (QEMU start -> @@BOOTED): {boot_s}; total wall: {t_end - t_start:.1f}s; "
               f"QEMU rc={rc_qemu}")
    out.append(f"   S3 cycles: {len(s3_cycles)} (host-seen seconds in S3: {s3}); RTC wakes: "
               f"{rtc_wakes}; power-button presses: {presses}; "
               f"s2idle wakes: {pb_served}/{pb_requests}")
    for name in order:
        g = groups[name]
        if name == "(init)" and not (g["pass"] or g["fail"] or g["skip"] or g["time"]
                                     or g["info"]):
            continue
        head = (f"-- {name}: {len(g['pass'])} passed, {len(g['fail'])} failed, "
                f"{len(g['skip'])} skipped")
        if g["xfail"]:
            head += f", {len(g['xfail'])} expected failure(s)"
        if name != "(init)":
            head += f", rc={g['rc']}"
        out.append(head)
        out += [f"     INFO {p}" for p in g["info"]]
        out += [f"     PASS {p}" for p in g["pass"]]
        out += [f"     SKIP {p}" for p in g["skip"]]
        out += [f"     XFAIL {p}" for p in g["xfail"]]
        out += [f"     FAIL {p}" for p in g["fail"]]
        out += [f"     TIME {p}" for p in g["time"]]
        out += [f"     HOST-TIME {p}" for p in g["host_time"]]
        if g["sleeps"]:
            out.append("     HOST-TIME sleep cycles (@@SLEEP..@@WOKE): " +
                       ", ".join(g["sleeps"]))
    out += [f"!! {p}" for p in problems]
    out.append(f"RESULT [{label}]: {'PASS' if ok else 'FAIL'}")
    report = "\n".join(out) + "\n"
    sys.stdout.write(report)
    sys.stdout.flush()
    summary = {"label": label, "ok": ok, "booted": booted, "done": done,
               "timed_out": timed_out, "qemu_rc": rc_qemu,
               "boot_seconds": (t_booted - t_start) if t_booted else None,
               "wall_seconds": t_end - t_start, "s3_host_seconds": s3_cycles,
               "rtc_wakes": rtc_wakes, "presses": presses,
               "s2idle_requests": pb_requests, "s2idle_wakes": pb_served,
               "problems": problems, "scenarios": {n: groups[n] for n in order}}
    with open(os.path.join(work, "summary.txt"), "w") as f:
        f.write(report)
    # every marker with the host's clock (seconds since QEMU started): where a run's time went
    with open(os.path.join(work, "timeline.txt"), "w") as f:
        for kind, payload, t_host in parsed:
            f.write(f"{t_host - t_start:8.2f} @@{kind} {payload}\n")
    with open(os.path.join(work, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)

    if args.artefacts and (not ok or args.keep_logs):
        dest = os.path.join(args.artefacts, label)
        os.makedirs(dest, exist_ok=True)
        for fn in ("console.log", "markers.log", "host.log", "qemu.stderr",
                   "summary.txt", "summary.json", "timeline.txt"):
            src = os.path.join(work, fn)
            if os.path.exists(src):
                shutil.copy2(src, os.path.join(dest, fn))
        log(f"[{label}] logs kept in {dest}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)

    if ok:
        return EXIT_PASS
    if harness_error and not booted:
        return EXIT_ERROR
    if not booted:
        return EXIT_NOBOOT
    if timed_out:
        return EXIT_TIMEOUT
    return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
