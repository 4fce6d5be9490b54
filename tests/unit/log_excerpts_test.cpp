// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel-log reader against verbatim excerpts of public bug reports and mailing-list
// posts, kernels 4.14 to 6.18, each with its source. Lines are as posted, mail quote markers
// and wrapping included; where a mail was quoted-printable, its soft line breaks ("=" at the
// end of a line) are decoded, as a mail reader shows them. Nothing here is invented.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "diagnose/log_reader.hpp"

namespace suspendfix {
namespace {

LogFindings read_log(std::string_view text) {
  KernelLogReader reader;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    reader.feed(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return reader.finish();
}

const Failure& only_failure(const LogFindings& findings) {
  EXPECT_EQ(findings.failed_sleeps.size(), 1u);
  EXPECT_EQ(findings.failed_sleeps.at(0).failures.size(), 1u);
  return findings.failed_sleeps.at(0).failures.at(0);
}

// Linux 4.15 (Ubuntu 18.04), kern.log, nouveau:
// https://github.com/skeggsb/nouveau/issues/3
TEST(LogExcerpts, Nouveau415KernLog) {
  const auto findings = read_log(
      R"(May 21 22:20:06 dell kernel: [  151.730049] Suspending console(s) (use no_console_suspend to debug)
May 21 22:20:06 dell kernel: [  166.947628] nouveau 0000:01:00.0: DRM: failed to idle channel 0 [DRM]
May 21 22:20:06 dell kernel: [  166.947666] pci_pm_suspend(): nouveau_pmops_suspend+0x0/0x80 [nouveau] returns -16
May 21 22:20:06 dell kernel: [  166.947668] dpm_run_callback(): pci_pm_suspend+0x0/0x150 returns -16
May 21 22:20:06 dell kernel: [  166.947670] PM: Device 0000:01:00.0 failed to suspend async: error -16
May 21 22:20:06 dell kernel: [  167.123902] PM: Some devices failed to suspend, or early wake event detected)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.kind, FailureKind::kDevice);
  EXPECT_EQ(failure.device, "0000:01:00.0");
  EXPECT_EQ(failure.phase, "suspend async");
  EXPECT_EQ(failure.error, -16);
  EXPECT_EQ(failure.module, "nouveau");
  EXPECT_EQ(failure.callback, "pci_pm_suspend");
  EXPECT_EQ(failure.driver_callback, "nouveau_pmops_suspend");
  EXPECT_EQ(failure.timestamp, "May 21 22:20:06");
  EXPECT_EQ(failure.line, 5u);
}

// Linux 4.19 (Sony Xperia, AOSP), dmesg with driver lines in between:
// https://github.com/sonyxperiadev/bug_tracker/issues/735
TEST(LogExcerpts, Mhi419DmesgInterleaved) {
  const auto findings =
      read_log(R"([  447.292281] Freezing user space processes ... (elapsed 0.019 seconds) done.
[  447.311657] OOM killer disabled.
[  447.311661] Freezing remaining freezable tasks ... (elapsed 0.005 seconds) done.
[  447.316749] Suspending console(s) (use no_console_suspend to debug)
[  447.324180] [kworke][0x2553bfa1b][13:49:17.749991] wlan: [270:I:HDD] hdd_suspend_wlan: 1243: WLAN being suspended by OS
[  447.324336] pci_pm_suspend(): mhi_system_suspend+0x0/0x2c0 returns -16
[  447.324347] dpm_run_callback(): pci_pm_suspend+0x0/0x200 returns -16
[  447.324350] [kworke][0x2553c06f6][13:49:17.750162] wlan: [270:I:PMO] pmo_core_is_wow_applicable: 319: lpass enabled, enabling wow
[  447.324360] PM: Device 0002:01:00.0 failed to suspend async: error -16
[  447.324673] PM: Some devices failed to suspend, or early wake event detected)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.device, "0002:01:00.0");
  EXPECT_EQ(failure.driver_callback, "mhi_system_suspend");
  EXPECT_EQ(failure.module, "") << "built in: no [module]";
  EXPECT_EQ(failure.timestamp, "447.324360");
}

// Linux 4.14 (Sony Xperia 10 II), a platform device failing synchronously:
// https://github.com/sonyxperiadev/kernel/pull/2212
TEST(LogExcerpts, Alarmtimer414Platform) {
  const auto findings =
      read_log(R"([   96.810207] PM: PM: suspend entry 2020-03-08 20:29:00.737602048 UTC
[   96.810220] PM: suspend entry (deep)
[   96.810228] PM: Syncing filesystems ... done.
[   96.820404] Freezing user space processes ... 
[   96.830614] (elapsed 0.010 seconds) done.
[   96.830624] OOM killer disabled.
[   96.830627] Freezing remaining freezable tasks ... (elapsed 0.005 seconds) done.
[   96.836545] Suspending console(s) (use no_console_suspend to debug)
[   96.840334] [kworker/u16:6][0x7acc48df][21:29:00.767739] wlan: [249:E:OSIF] wlan_abort_scan: 1645: Failed get vdev
[   96.840663] [kworker/u16:6][0x7acc5fa7][21:29:00.768043] wlan: [249:I:HDD] hdd_suspend_wlan: 1058: WLAN being suspended by OS
[   96.841286] [kworker/u16:6][0x7acc905d][21:29:00.768692] wlan: [249:I:PMO] pmo_core_is_wow_applicable: 323: lpass enabled, enabling wow
[   96.844196] [Solomon](mxt_suspend:9162)mxt_suspend int status:1
[   96.844860] dpm_run_callback(): platform_pm_suspend+0x0/0x60 returns -16
[   96.844864] PM: Device alarmtimer failed to suspend: error -16)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(findings.sleeps, 1u) << "Android prints the entry twice: one sleep";
  EXPECT_EQ(findings.failed_sleeps[0].mode, "deep");
  EXPECT_EQ(failure.device, "alarmtimer");
  EXPECT_EQ(failure.phase, "suspend");
  EXPECT_EQ(failure.callback, "platform_pm_suspend");
}

// Linux 4.14 (Sony Xperia 10 II), journalctl, a wakeup abort in the noirq phase:
// https://github.com/sonyxperiadev/kernel/pull/2398
TEST(LogExcerpts, WakeupPending414Journal) {
  const auto findings = read_log(
      R"(Feb 14 19:22:33 Xperia10II-DualSIM kernel: PM: PM: suspend entry 2021-02-14 17:22:33.365245561 UTC
Feb 14 19:22:33 Xperia10II-DualSIM kernel: PM: suspend entry (deep)
Feb 14 19:22:33 Xperia10II-DualSIM kernel: PM: Syncing filesystems ... done.
Feb 14 19:22:33 Xperia10II-DualSIM kernel: Freezing user space processes ... (elapsed 0.023 seconds) done.
Feb 14 19:22:33 Xperia10II-DualSIM kernel: OOM killer disabled.
Feb 14 19:22:33 Xperia10II-DualSIM kernel: Freezing remaining freezable tasks ... (elapsed 0.003 seconds) done.
Feb 14 19:22:33 Xperia10II-DualSIM kernel: Suspending console(s) (use no_console_suspend to debug)
Feb 14 19:22:33 Xperia10II-DualSIM kernel: msm_geni_serial 4c90000.qcom,qup_uart: msm_geni_serial_stop_tx.Device is suspended.
^ suspend failure here

Feb 14 19:22:33 Xperia10II-DualSIM kernel: PM: Wakeup pending, aborting suspend
Feb 14 19:22:33 Xperia10II-DualSIM kernel: PM: noirq suspend of devices failed)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.kind, FailureKind::kWakeup);
  EXPECT_EQ(failure.phase, "suspend noirq");
  EXPECT_EQ(failure.wakeup_source, "") << "pm_debug_messages was off: no source named";
}

// Linux 5.6.7, journalctl -o short-precise without a host name, two sleeps (deep, then
// s2idle) failing on the same device, mail-quoted:
// https://lore.kernel.org/dri-devel/c65c61281ca8243ffaf8dc19de492f0e0df27742.camel@gmail.com/
TEST(LogExcerpts, Ast56TwoSleepsQuoted) {
  const auto findings = read_log(R"(> > Apr 27 16:07:54 systemd-sleep[1104]: Suspending system...
> > Apr 27 16:07:54 kernel: PM: suspend entry (deep)
> > Apr 27 16:07:54 kernel: Filesystems sync: 0.091 seconds
> > Apr 27 16:07:54 kernel: Freezing user space processes ... (elapsed 0.001 seconds) done.
> > Apr 27 16:07:54 kernel: OOM killer disabled.
> > Apr 27 16:07:54 kernel: Freezing remaining freezable tasks ... (elapsed 0.001 seconds) done.
> > Apr 27 16:07:54 kernel: printk: Suspending console(s) (use no_console_suspend to debug)
> > Apr 27 16:07:54 kernel: sd 6:0:1:0: [sdc] Synchronizing SCSI cache
> > Apr 27 16:07:54 kernel: sd 6:0:0:0: [sdb] Synchronizing SCSI cache
> > Apr 27 16:07:54 kernel: serial 00:09: disabled
> > Apr 27 16:07:54 kernel: serial 00:06: disabled
> > Apr 27 16:07:54 kernel: serial 00:05: disabled
> > Apr 27 16:07:54 kernel: PM: pci_pm_suspend(): ast_pm_suspend+0x0/0x40 [ast] returns -22
> > Apr 27 16:07:54 kernel: PM: dpm_run_callback(): pci_pm_suspend+0x0/0x160 returns -22
> > Apr 27 16:07:54 kernel: PM: Device 0000:04:00.0 failed to suspend async: error -22
> > Apr 27 16:07:54 kernel: sd 0:0:0:0: [sda] Synchronizing SCSI cache
> > Apr 27 16:07:54 kernel: sd 0:0:0:0: [sda] Stopping disk
> > Apr 27 16:07:54 kernel: PM: Some devices failed to suspend, or early wake event detected
> > Apr 27 16:07:54 kernel: sd 0:0:0:0: [sda] Starting disk
> > Apr 27 16:07:54 kernel: serial 00:05: activated
> > Apr 27 16:07:54 kernel: serial 00:06: activated
> > Apr 27 16:07:54 kernel: serial 00:09: activated
> > Apr 27 16:07:54 kernel: OOM killer enabled.
> > Apr 27 16:07:54 kernel: Restarting tasks ... done.
> > Apr 27 16:07:54 kernel: PM: suspend exit
> > Apr 27 16:07:54 kernel: PM: suspend entry (s2idle)
> > Apr 27 16:07:55 kernel: Filesystems sync: 0.078 seconds
> > Apr 27 16:07:55 kernel: Freezing user space processes ... (elapsed 0.001 seconds) done.
> > Apr 27 16:07:55 kernel: OOM killer disabled.
> > Apr 27 16:07:55 kernel: Freezing remaining freezable tasks ... (elapsed 0.001 seconds) done.
> > Apr 27 16:07:55 kernel: printk: Suspending console(s) (use no_console_suspend to debug)
> > Apr 27 16:07:55 kernel: sd 6:0:0:0: [sdb] Synchronizing SCSI cache
> > Apr 27 16:07:55 kernel: sd 6:0:1:0: [sdc] Synchronizing SCSI cache
> > Apr 27 16:07:55 kernel: serial 00:09: disabled
> > Apr 27 16:07:55 kernel: serial 00:06: disabled
> > Apr 27 16:07:55 kernel: serial 00:05: disabled
> > Apr 27 16:07:55 kernel: PM: pci_pm_suspend(): ast_pm_suspend+0x0/0x40 [ast] returns -22
> > Apr 27 16:07:55 kernel: PM: dpm_run_callback(): pci_pm_suspend+0x0/0x160 returns -22
> > Apr 27 16:07:55 kernel: PM: Device 0000:04:00.0 failed to suspend async: error -22
> > Apr 27 16:07:55 kernel: mpt2sas_cm0: pdev=0x0000000003c9e977, slot=0000:02:00.0, entering
> > operating
> > state [D4])");
  ASSERT_EQ(findings.failed_sleeps.size(), 2u);
  EXPECT_EQ(findings.sleeps, 2u);
  EXPECT_EQ(findings.failed_sleeps[0].mode, "s2idle") << "newest sleep first";
  EXPECT_EQ(findings.failed_sleeps[1].mode, "deep");
  for (const SleepAttempt& attempt : findings.failed_sleeps) {
    ASSERT_EQ(attempt.failures.size(), 1u);
    EXPECT_EQ(attempt.failures[0].device, "0000:04:00.0");
    EXPECT_EQ(attempt.failures[0].module, "ast");
    EXPECT_EQ(attempt.failures[0].error, -22);
  }
}

// The same report, the next day's s2idle attempt, where the sleep manager's line is wrapped:
// https://lore.kernel.org/dri-devel/c65c61281ca8243ffaf8dc19de492f0e0df27742.camel@gmail.com/
TEST(LogExcerpts, Ast56SystemdLineAfterExit) {
  const auto findings = read_log(
      R"(Apr 28 14:36:08.058332 kernel: PM: pci_pm_suspend(): ast_pm_suspend+0x0/0x40 [ast] returns -22
Apr 28 14:36:08.058386 kernel: PM: dpm_run_callback(): pci_pm_suspend+0x0/0x160 returns -22
Apr 28 14:36:08.058435 kernel: PM: Device 0000:04:00.0 failed to suspend async: error -22
Apr 28 14:36:08.058472 kernel: sd 0:0:0:0: [sda] Synchronizing SCSI cache
Apr 28 14:36:08.058879 kernel: sd 0:0:0:0: [sda] Stopping disk
Apr 28 14:36:08.059229 kernel: ata6: SATA link down (SStatus 0 SControl 300)
Apr 28 14:36:08.059470 kernel: PM: Some devices failed to suspend, or early wake event detected
Apr 28 14:36:08.060632 kernel: OOM killer enabled.
Apr 28 14:36:08.060684 kernel: Restarting tasks ... done.
Apr 28 14:36:08.060738 kernel: PM: suspend exit
Apr 28 14:36:08.056877 systemd-sleep[822]: Failed to suspend system. System resumed again: Invalid
argument)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.device, "0000:04:00.0");
  EXPECT_EQ(failure.manager_error, "Invalid") << "the line is cut where the mail wrapped it";
  EXPECT_EQ(failure.timestamp, "Apr 28 14:36:08.058435");
}

// Linux 5.17 (WhiskeyLake-U, e1000e), dmesg with pm_print_times' "returned ... after" line:
// https://lore.kernel.org/netdev/20220308172030.451566-1-anthony.l.nguyen@intel.com/
TEST(LogExcerpts, E1000e517PrintTimes) {
  const auto findings = read_log(
      R"([   20.078957] PM: pci_pm_suspend(): e1000e_pm_suspend+0x0/0x780 [e1000e] returns -2
[   20.078970] PM: dpm_run_callback(): pci_pm_suspend+0x0/0x170 returns -2
[   20.078974] e1000e 0000:00:1f.6: PM: pci_pm_suspend+0x0/0x170 returned -2 after 371012 usecs
[   20.078978] e1000e 0000:00:1f.6: PM: failed to suspend async: error -2)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.device, "0000:00:1f.6");
  EXPECT_EQ(failure.driver, "e1000e");
  EXPECT_EQ(failure.module, "e1000e");
  EXPECT_EQ(failure.driver_callback, "e1000e_pm_suspend");
  EXPECT_EQ(failure.error, -2);
}

// Linux 6.0, an i2c device on ACPI, mail-quoted (quoted-printable decoded):
// https://lore.kernel.org/linux-iio/ozK9iquIv9o2or9IunOcfXJEvbVPwunC15iEe6DlT8ObOWI_wNFnJtN0lubBXEkln6pm8bp939ex7YlmEZhoxDF9nU6nKu4QkqwBkkHqJw8=@protonmail.com/
TEST(LogExcerpts, Cm32181I2c60) {
  const auto findings = read_log(R"(> [ 112.456347] sd 0:0:0:0: [sda] Synchronizing SCSI cache
> [ 112.463074] cm32181 i2c-CPLM3218:00: PM: dpm_run_callback(): acpi_subsys_suspend+0x0/0x60 returns -121
> [ 112.463093] cm32181 i2c-CPLM3218:00: PM: failed to suspend async: error -121
> [ 112.466463] sd 0:0:0:0: [sda] Stopping disk
> [ 115.543097] PM: Some devices failed to suspend, or early wake event detected)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.device, "i2c-CPLM3218:00");
  EXPECT_EQ(failure.driver, "cm32181");
  EXPECT_EQ(failure.callback, "acpi_subsys_suspend");
  EXPECT_EQ(failure.error, -121);
}

// Linux 6.1.1, journalctl wrapped by a mail client: the dev_printk prefix and the callback
// line are cut in two, and so is systemd-sleep's line:
// https://lore.kernel.org/stable/e6751ac2-34f3-d13f-13db-8174fade8308@pm.me/
TEST(LogExcerpts, Cs35l41Wrapped61) {
  const auto findings = read_log(R"(Jan 02 21:52:55 legion16 kernel: PM: suspend entry (s2idle)
Jan 02 21:52:55 legion16 kernel: Filesystems sync: 0.004 seconds
Jan 02 21:52:55 legion16 kernel: Freezing user space processes ...
(elapsed 0.001 seconds) done.
Jan 02 21:52:55 legion16 kernel: OOM killer disabled.
Jan 02 21:52:55 legion16 kernel: Freezing remaining freezable tasks ...
(elapsed 0.216 seconds) done.
Jan 02 21:52:55 legion16 kernel: printk: Suspending console(s) (use
no_console_suspend to debug)
Jan 02 21:52:55 legion16 kernel: cs35l41-hda
i2c-CLSA0100:00-cs35l41-hda.1: System Suspend not supported
Jan 02 21:52:55 legion16 kernel: cs35l41-hda
i2c-CLSA0100:00-cs35l41-hda.1: PM: dpm_run_callback():
cs35l41_system_suspend+0x0/0xd0 [snd_hda_scodec_cs35l41] returns -22
Jan 02 21:52:55 legion16 kernel: cs35l41-hda
i2c-CLSA0100:00-cs35l41-hda.1: PM: failed to suspend async: error -22
Jan 02 21:52:55 legion16 kernel: PM: Some devices failed to suspend, or
early wake event detected
Jan 02 21:52:55 legion16 kernel: OOM killer enabled.
Jan 02 21:52:55 legion16 plasmashell[1770]: qml: [DEBUG] - onNewData
Jan 02 21:52:55 legion16 kernel: Restarting tasks ... done.
Jan 02 21:52:55 legion16 kernel: random: crng reseeded on system resumption
Jan 02 21:52:55 legion16 systemd-sleep[2912]: Failed to put system to
sleep. System resumed again: Invalid argument
Jan 02 21:52:55 legion16 kernel: PM: suspend exit)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(findings.failed_sleeps[0].mode, "s2idle");
  EXPECT_EQ(failure.device, "i2c-CLSA0100:00-cs35l41-hda.1");
  EXPECT_EQ(failure.module, "snd_hda_scodec_cs35l41") << "from the rejoined callback line";
  EXPECT_EQ(failure.driver_callback, "cs35l41_system_suspend");
  EXPECT_EQ(failure.manager_error, "Invalid argument");
  EXPECT_EQ(findings.failed_sleeps[0].manager_errno, -22);
}

// Linux 6.x (Pop!_OS, January 2025), journalctl -p err, the 5.18+ form with the device on
// every line: https://github.com/pop-os/pop/issues/3442
TEST(LogExcerpts, Nvidia6xJournalErrors) {
  const auto findings = read_log(
      R"(Jan 15 20:17:31 Z kernel: nvidia 0000:01:00.0: PM: pci_pm_suspend(): nv_pmops_suspend+0x0/0x50 [nvidia] returns -5
Jan 15 20:17:31 Z kernel: nvidia 0000:01:00.0: PM: dpm_run_callback(): pci_pm_suspend+0x0/0x1b0 returns -5
Jan 15 20:17:31 Z kernel: nvidia 0000:01:00.0: PM: failed to suspend async: error -5)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.device, "0000:01:00.0");
  EXPECT_EQ(failure.driver, "nvidia");
  EXPECT_EQ(failure.module, "nvidia");
  EXPECT_EQ(failure.callback, "pci_pm_suspend");
  EXPECT_EQ(failure.driver_callback, "nv_pmops_suspend");
}

// Linux 6.16, /var/log/syslog (kern.log form, dmesg time after "kernel:"), callbacks without
// offsets (6.10+). The excerpt ends where the page we read cut the next line: the callback
// lines alone must still name the device and module.
// https://github.com/pop-os/pop/issues/3590
TEST(LogExcerpts, Nvidia616SyslogNoOffsets) {
  const auto findings =
      read_log(R"(Sep 18 13:02:38 pop-os kernel: [14902.746587] Freezing remaining freezable tasks
Sep 18 13:02:38 pop-os kernel: [14902.748325] Freezing remaining freezable tasks completed (elapsed 0.001 seconds)
Sep 18 13:02:38 pop-os kernel: [14902.748329] printk: Suspending console(s) (use no_console_suspend to debug)
Sep 18 13:02:38 pop-os kernel: [14902.841326] NVRM: GPU 0000:01:00.0: PreserveVideoMemoryAllocations module parameter is set. System Power Management attempted without driver procfs suspend interface. Please refer to the 'Configuring Power Management Support' section in the driver README.
Sep 18 13:02:38 pop-os kernel: [14902.841346] nvidia 0000:01:00.0: PM: pci_pm_suspend(): nv_pmops_suspend [nvidia] returns -5
Sep 18 13:02:38 pop-os kernel: [14902.842002] e1000e: EEE TX LPI TIMER: 00000011
Sep 18 13:02:38 pop-os kernel: [14902.842398] nvidia 0000:01:00.0: PM: dpm_run_callback(): pci_pm_suspend returns -5)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.device, "0000:01:00.0");
  EXPECT_EQ(failure.module, "nvidia");
  EXPECT_EQ(failure.driver_callback, "nv_pmops_suspend");
  EXPECT_EQ(failure.error, -5);
  EXPECT_EQ(failure.phase, "") << "no 'failed to' line: the phase is unknown";
}

// Linux 6.12.7 (Surface Pro 10), a synchronous failure (no "async"):
// https://github.com/linux-surface/linux-surface/issues/1685
TEST(LogExcerpts, SurfaceSerialHub612) {
  const auto findings =
      read_log(R"([51418.721541] surface_serial_hub serial0-0: pm: D0-exit notification failed: -110
[51422.720205] surface_serial_hub serial0-0: rtl: dropping unexpected command message (rqid = 0x64ba)
[51425.763804] surface_serial_hub serial0-0: rtl: dropping unexpected command message (rqid = 0x64bb)
[51425.764550] surface_serial_hub serial0-0: rtl: dropping unexpected command message (rqid = 0x64bb)
[51425.765522] surface_serial_hub serial0-0: rtl: dropping unexpected command message (rqid = 0x64bc)
[51425.766583] surface_serial_hub serial0-0: PM: dpm_run_callback(): acpi_subsys_suspend returns -110
[51425.766596] surface_serial_hub serial0-0: PM: failed to suspend: error -110
[51425.766601] PM: Some devices failed to suspend, or early wake event detected)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.device, "serial0-0");
  EXPECT_EQ(failure.driver, "surface_serial_hub");
  EXPECT_EQ(failure.phase, "suspend");
  EXPECT_EQ(failure.callback, "acpi_subsys_suspend");
}

// Linux 5.12-rc1, io_uring workers refusing to freeze, task dump lines, mail-quoted twice:
// https://lore.kernel.org/lkml/fd148797-d8cb-7597-8612-83ddfafac425@kernel.dk/
TEST(LogExcerpts, Freezer512TaskDump) {
  const auto findings = read_log(R"(>> [  240.650300] PM: suspend entry (deep)
>> [  240.650748] Filesystems sync: 0.000 seconds
>> [  240.725605] Freezing user space processes ...
>> [  260.739483] Freezing of tasks failed after 20.013 seconds (3 tasks refusing to freeze, wq_busy=0):
>> [  260.739497] task:iou-mgr-446     state:S stack:    0 pid:  516 ppid:   439 flags:0x00004224
>> [  260.739504] Call Trace:
>> [  260.739507]  ? sysvec_apic_timer_interrupt+0xb/0x81
>> [  260.739515]  ? pick_next_task_fair+0x197/0x1cde
>> [  260.739519]  ? sysvec_reschedule_ipi+0x2f/0x6a
>> [  260.739522]  ? asm_sysvec_reschedule_ipi+0x12/0x20
>> [  260.739525]  ? __schedule+0x57/0x6d6
>> [  260.739529]  ? del_timer_sync+0xb9/0x115
>> [  260.739533]  ? schedule+0x63/0xd5
>> [  260.739536]  ? schedule_timeout+0x219/0x356
>> [  260.739540]  ? __next_timer_interrupt+0xf1/0xf1
>> [  260.739544]  ? io_wq_manager+0x73/0xb1
>> [  260.739549]  ? io_wq_create+0x262/0x262
>> [  260.739553]  ? ret_from_fork+0x22/0x30
>> [  260.739557] task:iou-mgr-517     state:S stack:    0 pid:  522 ppid:   439 flags:0x00004224
>> [  260.739561] Call Trace:
>> [  260.739563]  ? sysvec_apic_timer_interrupt+0xb/0x81
>> [  260.739566]  ? pick_next_task_fair+0x16f/0x1cde
>> [  260.739569]  ? sysvec_apic_timer_interrupt+0xb/0x81
>> [  260.739571]  ? asm_sysvec_apic_timer_interrupt+0x12/0x20
>> [  260.739574]  ? __schedule+0x5b7/0x6d6
>> [  260.739578]  ? del_timer_sync+0x70/0x115
>> [  260.739581]  ? schedule_timeout+0x211/0x356
>> [  260.739585]  ? __next_timer_interrupt+0xf1/0xf1
>> [  260.739588]  ? io_wq_check_workers+0x15/0x11f
>> [  260.739592]  ? io_wq_manager+0x69/0xb1
>> [  260.739596]  ? io_wq_create+0x262/0x262
>> [  260.739600]  ? ret_from_fork+0x22/0x30
>> [  260.739603] task:iou-wrk-517     state:S stack:    0 pid:  523 ppid:   439 flags:0x00004224
>> [  260.739607] Call Trace:
>> [  260.739609]  ? __schedule+0x5b7/0x6d6
>> [  260.739614]  ? schedule+0x63/0xd5
>> [  260.739617]  ? schedule_timeout+0x219/0x356
>> [  260.739621]  ? __next_timer_interrupt+0xf1/0xf1
>> [  260.739624]  ? task_thread.isra.0+0x148/0x3af
>> [  260.739628]  ? task_thread_unbound+0xa/0xa
>> [  260.739632]  ? task_thread_bound+0x7/0x7
>> [  260.739636]  ? ret_from_fork+0x22/0x30
>> [  260.739647] OOM killer enabled.
>> [  260.739648] Restarting tasks ... done.
>> [  260.740077] PM: suspend exit)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.kind, FailureKind::kFreeze);
  EXPECT_EQ(failure.tasks, (std::vector<std::string>{"iou-mgr-446", "iou-mgr-517", "iou-wrk-517"}));
}

// Qubes OS dom0 (journalctl), a freezer failure with no task to name (busy workqueues):
// https://github.com/QubesOS/qubes-issues/issues/5843
TEST(LogExcerpts, FreezerBusyWorkqueues) {
  const auto findings = read_log(R"(May 23 02:47:04 dom0 systemd-sleep[9598]: Suspending system...
May 23 02:47:04 dom0 kernel: PM: suspend entry (deep)
May 23 02:47:24 dom0 kernel: PM: Syncing filesystems ... done.
May 23 02:47:24 dom0 kernel: Freezing user space processes ... (elapsed 0.001 seconds) done.
May 23 02:47:24 dom0 kernel: OOM killer disabled.
May 23 02:47:24 dom0 kernel: Freezing remaining freezable tasks ... 
May 23 02:47:24 dom0 kernel: Freezing of tasks failed after 20.001 seconds (0 tasks refusing to freeze, wq_busy=1):
May 23 02:47:24 dom0 kernel: Showing busy workqueues and worker pools:
May 23 02:47:24 dom0 kernel: workqueue writeback: flags=0x4e
May 23 02:47:24 dom0 kernel:   pwq 8: cpus=0-3 flags=0x4 nice=0 active=0/0 refcnt=3
May 23 02:47:24 dom0 kernel:     delayed: wb_workfn
May 23 02:47:24 dom0 kernel: workqueue usb_hub_wq: flags=0x4
May 23 02:47:24 dom0 kernel:   pwq 4: cpus=2 node=0 flags=0x0 nice=0 active=1/0 refcnt=2
May 23 02:47:24 dom0 kernel:     in-flight: 8729:hub_event
May 23 02:47:24 dom0 kernel:   pwq 2: cpus=1 node=0 flags=0x0 nice=0 active=1/0 refcnt=2
May 23 02:47:24 dom0 kernel:     in-flight: 4896:hub_event)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.kind, FailureKind::kFreeze);
  EXPECT_TRUE(failure.tasks.empty());
  EXPECT_NE(failure.message.find("wq_busy=1"), std::string::npos);
}

// Linux 6.18 (Intel NUC, rtsx_pci_sdmmc), a wakeup abort with pm_debug_messages on, as the
// report indents it:
// https://lore.kernel.org/linux-mmc/a242799a-d427-48e1-85ef-923f34df843a@gmail.com/
TEST(LogExcerpts, WakeupSourceMmc618) {
  const auto findings = read_log(R"(    PM: Wakeup pending, aborting suspend
    PM: active wakeup source: mmc0
    PM: suspend of devices aborted after 151.615 msecs
    PM: start suspend of devices aborted after 169.797 msecs
    PM: Some devices failed to suspend, or early wake event detected)");
  const Failure& failure = only_failure(findings);
  EXPECT_EQ(failure.kind, FailureKind::kWakeup);
  EXPECT_EQ(failure.wakeup_source, "mmc0");
  EXPECT_EQ(failure.phase, "suspend");
}

// Linux 6.8 (Ubuntu 24.04 on a Chromebook), syslog with ISO timestamps; a sleep that got
// past the freezer: nothing failed here. https://github.com/MrChromebox/scripts/issues/410
TEST(LogExcerpts, IsoTimestampsNoFailure) {
  const auto findings =
      read_log(R"(2024-06-02T06:23:31.469565+10:00 cruzy-Pujjo kernel: PM: suspend entry (s2idle)
2024-06-02T06:23:31.469742+10:00 cruzy-Pujjo systemd-sleep[3584]: Performing sleep operation 'suspend'...
2024-06-02T06:23:31.486955+10:00 cruzy-Pujjo kernel: Filesystems sync: 0.015 seconds
2024-06-02T06:23:31.496378+10:00 cruzy-Pujjo kernel: Freezing user space processes
2024-06-02T06:23:47.154966+10:00 cruzy-Pujjo kernel: Freezing user space processes completed (elapsed 0.003 seconds))");
  EXPECT_EQ(findings.sleeps, 1u);
  EXPECT_TRUE(findings.failed_sleeps.empty());
}

}  // namespace
}  // namespace suspendfix
