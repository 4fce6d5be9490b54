// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * suspendfix "fake kernel", part 2: the sleep. A write of the testbed's /sys/power/state
 * either fails as the kernel's does when a device refuses, or "sleeps": the kernel's counters
 * move and the RTC alarm fires before it returns. See README.md for the environment.
 */
#undef _FORTIFY_SOURCE /* we define write: no inline wrappers */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

static int errno_from_spec(const char *spec)
{
	int err = atoi(spec);
	for (int i = 1; i < 4096 && !err; i++)
		if (strerrorname_np(i) && !strcmp(strerrorname_np(i), spec))
			err = i;
	return err ? err : EIO;
}

/* Replaces a small file of the testbed with text (the real write, not this wrapper's). */
static void put_text(__typeof__(write) *real, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (real(fd, text, strlen(text)) < 0)
		perror("suspendfix fakekernel: fake sleep");
	close(fd);
}

/* DIR/suspend_stats/NAME += 1 (a missing file counts from 0). */
static void bump(__typeof__(write) *real, const char *dir, const char *name)
{
	char path[PATH_MAX], text[32] = "";
	snprintf(path, sizeof(path), "%s/suspend_stats/%s", dir, name);
	FILE *file = fopen(path, "re");
	long value = 0;
	if (file) {
		if (fgets(text, sizeof(text), file))
			value = atol(text);
		fclose(file);
	}
	snprintf(text, sizeof(text), "%ld\n", value + 1);
	put_text(real, path, text);
}

/* Appends the kernel's lines of a refused sleep to $SUSPENDFIX_KMSG, in /dev/kmsg's format. */
static void log_kmsg(__typeof__(write) *real, const char *device, const char *driver,
		     const char *module, int err)
{
	const char *kmsg = getenv("SUSPENDFIX_KMSG");
	static int seq = 1000;
	char text[2048];
	if (!kmsg || !*kmsg)
		return;
	snprintf(text, sizeof(text),
		 "6,%d,5000000,-;PM: suspend entry (deep)\n"
		 "3,%d,5000100,-;%s %s: PM: pci_pm_suspend(): %s_suspend+0x0/0x20 [%s] returns -%d\n"
		 " SUBSYSTEM=pci\n DEVICE=+pci:%s\n"
		 "3,%d,5000200,-;%s %s: PM: failed to suspend async: error -%d\n"
		 " SUBSYSTEM=pci\n DEVICE=+pci:%s\n"
		 "3,%d,5000300,-;PM: Some devices failed to suspend, or early wake event detected\n"
		 "6,%d,5000400,-;PM: suspend exit\n",
		 seq, seq + 1, driver, device, driver, module, err, device, seq + 2, driver, device,
		 err, device, seq + 3, seq + 4);
	seq += 5;
	int fd = open(kmsg, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (real(fd, text, strlen(text)) < 0)
		perror("suspendfix fakekernel: SUSPENDFIX_KMSG");
	close(fd);
}

/*
 * A write(2) to /sys/power/state (wherever umockdev put it: the fd's path ends so; the host's
 * own file is never written):
 * - SUSPENDFIX_FAKE_POWER_STATE_ERROR=EBUSY: fails with that errno, as the kernel's does when
 *   a device refuses to suspend. Opening it still works: the refusal comes at the point of no
 *   return. With SUSPENDFIX_FAKE_SLEEP=1 the kernel's record of it is kept too: suspend_stats
 *   fail and failed_suspend go up, last_failed_dev/errno/step name
 *   SUSPENDFIX_FAKE_SLEEP_DEVICE ("SLOT,DRIVER,MODULE"), and its log lines go to
 *   $SUSPENDFIX_KMSG.
 * - else with SUSPENDFIX_FAKE_SLEEP=1 the machine "sleeps": suspend_stats/success goes up and
 *   the RTC alarm beside it (class/rtc/rtc0/wakealarm) fires, before the write returns.
 * - SUSPENDFIX_FAKE_SLEEP_SIGNAL=N: the process gets signal N during the sleep (Ctrl-C).
 */
ssize_t write(int fd, const void *data, size_t size)
{
	static __typeof__(write) *real;
	if (!real)
		real = (__typeof__(write) *)dlsym(RTLD_NEXT, "write");
	const char *spec = getenv("SUSPENDFIX_FAKE_POWER_STATE_ERROR");
	const char *sleep = getenv("SUSPENDFIX_FAKE_SLEEP");
	const bool fail = spec && *spec, sleeps = sleep && *sleep;
	if (!fail && !sleeps)
		return real(fd, data, size);
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	static __typeof__(readlink) *real_readlink;
	if (!real_readlink)
		real_readlink = (__typeof__(readlink) *)dlsym(RTLD_NEXT, "readlink");
	ssize_t n = real_readlink(link, path, sizeof(path) - 1);
	const char *tail = "/sys/power/state";
	if (n <= (ssize_t)strlen(tail))
		return real(fd, data, size);
	path[n] = '\0';
	if (strcmp(path + n - strlen(tail), tail))
		return real(fd, data, size);
	if (!strcmp(path, tail)) { /* the host's: never */
		errno = EPERM;
		return -1;
	}
	char dir[PATH_MAX]; /* .../sys/power */
	snprintf(dir, sizeof(dir), "%.*s", (int)(n - strlen("/state")), path);
	const char *signal_spec = getenv("SUSPENDFIX_FAKE_SLEEP_SIGNAL");
	if (signal_spec && atoi(signal_spec) > 0)
		kill(getpid(), atoi(signal_spec));
	if (fail) {
		int err = errno_from_spec(spec);
		log_call("write", "power/state", err, "");
		const char *device = getenv("SUSPENDFIX_FAKE_SLEEP_DEVICE");
		if (sleeps && device && *device) {
			char slot[64] = "", driver[64] = "", module[64] = "", text[96];
			char file[PATH_MAX];
			sscanf(device, "%63[^,],%63[^,],%63s", slot, driver, module);
			bump(real, dir, "fail");
			bump(real, dir, "failed_suspend");
			snprintf(file, sizeof(file), "%s/suspend_stats/last_failed_dev", dir);
			snprintf(text, sizeof(text), "%s\n", slot);
			put_text(real, file, text);
			snprintf(file, sizeof(file), "%s/suspend_stats/last_failed_errno", dir);
			snprintf(text, sizeof(text), "-%d\n", err);
			put_text(real, file, text);
			snprintf(file, sizeof(file), "%s/suspend_stats/last_failed_step", dir);
			put_text(real, file, "suspend\n");
			log_kmsg(real, slot, driver, module, err);
		}
		errno = err;
		return -1;
	}
	ssize_t wrote = real(fd, data, size);
	bump(real, dir, "success");
	char alarm[PATH_MAX];
	snprintf(alarm, sizeof(alarm), "%.*s/class/rtc/rtc0/wakealarm",
		 (int)(strlen(dir) - strlen("/power")), dir);
	put_text(real, alarm, "");
	char mem_sleep[PATH_MAX], text[128] = "", extra[160];
	snprintf(mem_sleep, sizeof(mem_sleep), "%s/mem_sleep", dir);
	FILE *file = fopen(mem_sleep, "re");
	if (file) {
		if (!fgets(text, sizeof(text), file))
			text[0] = '\0';
		text[strcspn(text, "\n")] = '\0';
		fclose(file);
	}
	snprintf(extra, sizeof(extra), "slept mem_sleep=%s", text);
	log_call("write", "power/state", 0, extra);
	return wrote;
}
