// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * suspendfix "fake kernel": an LD_PRELOAD library that lets real libkmod,
 * modprobe/rmmod and our own code load and unload modules against a fake
 * tree instead of the running kernel (which, on CI, has no module support).
 * Same idea as kmod's testsuite (path.c, init_module.c, delete_module.c),
 * written from scratch.  See README.md for the environment contract.
 *
 *  1. Absolute paths under the kernel's module interfaces are prefixed with
 *     $SUSPENDFIX_FAKE_ROOT.  We wrap every libc entry point that libkmod 30,
 *     the kmod tool and libstdc++'s std::filesystem import (checked with
 *     nm -D), plus the fortified and pre-2.33 stat variants that other
 *     builds of the same code may import.
 *  2. delete_module/init_module/finit_module (and syscall() with those
 *     numbers, which is how libkmod calls finit_module) act on that tree the
 *     way the kernel does: /sys/module/NAME/{initstate,refcnt,coresize,
 *     holders/,parameters/} and /proc/modules.
 *  3. Without an absolute SUSPENDFIX_FAKE_ROOT the fake syscalls abort():
 *     a misconfigured test must never reach the real kernel.
 */
#undef _FILE_OFFSET_BITS /* we define both stat and stat64: no redirects */
#undef _FORTIFY_SOURCE   /* we define open etc.: no inline wrappers */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "shim.h"

#define MODULE_NAME_OFFSET_64 24 /* offsetof(struct module, name), 64-bit */

/* ---------- 1. path redirection ---------- */

static const char *const redirected[] = {
	"/sys/module", "/proc/modules", "/proc/cmdline", "/proc/self/mountinfo",
	"/proc/swaps", "/proc/cpuinfo", "/lib/modules",
	"/usr/lib/modules", "/etc/modprobe.d", "/run/modprobe.d",
	"/usr/lib/modprobe.d", "/lib/modprobe.d", "/usr/local/lib/modprobe.d",
};

/* Read on every call, so a test may setenv() it per test case. */
static const char *fake_root(void)
{
	const char *r = getenv("SUSPENDFIX_FAKE_ROOT");
	return r && r[0] == '/' ? r : NULL;
}

static const char *fake_path(const char *path, char buf[PATH_MAX])
{
	const char *root = fake_root();
	if (!root || !path || path[0] != '/')
		return path;
	for (size_t i = 0; i < sizeof(redirected) / sizeof(*redirected); i++) {
		size_t n = strlen(redirected[i]);
		if (strncmp(path, redirected[i], n) || (path[n] && path[n] != '/'))
			continue;
		if ((size_t)snprintf(buf, PATH_MAX, "%s%s", root, path) >= PATH_MAX)
			break; /* too long: leave it alone, the call fails */
		return buf;
	}
	return path;
}

#define REAL(name) \
	static __typeof__(name) *real; \
	if (!real) real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* A wrapper whose only change is redirecting the argument named `path`. */
#define WRAP(ret, name, proto, args) \
	ret name proto { \
		char buf[PATH_MAX]; \
		REAL(name); \
		path = fake_path(path, buf); \
		return real args; \
	}

/* glibc >= 2.33 no longer declares the old stat entry points. */
int __xstat(int, const char *, struct stat *);
int __xstat64(int, const char *, struct stat64 *);
int __lxstat(int, const char *, struct stat *);
int __lxstat64(int, const char *, struct stat64 *);
int __fxstatat(int, int, const char *, struct stat *, int);
int __fxstatat64(int, int, const char *, struct stat64 *, int);
int __open_2(const char *, int);
int __open64_2(const char *, int);
int __openat_2(int, const char *, int);
int __openat64_2(int, const char *, int);

WRAP(FILE *, fopen, (const char *path, const char *m), (path, m))
WRAP(FILE *, fopen64, (const char *path, const char *m), (path, m))
WRAP(int, __open_2, (const char *path, int f), (path, f))
WRAP(int, __open64_2, (const char *path, int f), (path, f))
WRAP(int, __openat_2, (int d, const char *path, int f), (d, path, f))
WRAP(int, __openat64_2, (int d, const char *path, int f), (d, path, f))
WRAP(int, stat, (const char *path, struct stat *s), (path, s))
WRAP(int, stat64, (const char *path, struct stat64 *s), (path, s))
WRAP(int, lstat, (const char *path, struct stat *s), (path, s))
WRAP(int, lstat64, (const char *path, struct stat64 *s), (path, s))
WRAP(int, fstatat, (int d, const char *path, struct stat *s, int f), (d, path, s, f))
WRAP(int, fstatat64, (int d, const char *path, struct stat64 *s, int f), (d, path, s, f))
WRAP(int, __xstat, (int v, const char *path, struct stat *s), (v, path, s))
WRAP(int, __xstat64, (int v, const char *path, struct stat64 *s), (v, path, s))
WRAP(int, __lxstat, (int v, const char *path, struct stat *s), (v, path, s))
WRAP(int, __lxstat64, (int v, const char *path, struct stat64 *s), (v, path, s))
WRAP(int, __fxstatat, (int v, int d, const char *path, struct stat *s, int f), (v, d, path, s, f))
WRAP(int, __fxstatat64, (int v, int d, const char *path, struct stat64 *s, int f), (v, d, path, s, f))
WRAP(int, statx, (int d, const char *path, int f, unsigned m, struct statx *s), (d, path, f, m, s))
WRAP(int, access, (const char *path, int m), (path, m))
WRAP(int, faccessat, (int d, const char *path, int m, int f), (d, path, m, f))
WRAP(DIR *, opendir, (const char *path), (path))
WRAP(ssize_t, readlink, (const char *path, char *b, size_t n), (path, b, n))
WRAP(ssize_t, readlinkat, (int d, const char *path, char *b, size_t n), (d, path, b, n))
WRAP(int, mkdir, (const char *path, mode_t m), (path, m))
WRAP(int, rmdir, (const char *path), (path))
WRAP(int, unlink, (const char *path), (path))
WRAP(int, unlinkat, (int d, const char *path, int f), (d, path, f))
WRAP(int, symlink, (const char *target, const char *path), (target, path))

/* open(2) family: the mode argument only exists with O_CREAT or O_TMPFILE. */
#define WRAP_OPEN(name, proto, args) \
	int name proto { \
		char buf[PATH_MAX]; mode_t mode = 0; \
		REAL(name); \
		if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) { \
			va_list ap; va_start(ap, flags); \
			mode = va_arg(ap, mode_t); va_end(ap); \
		} \
		path = fake_path(path, buf); \
		return real args; \
	}
WRAP_OPEN(open, (const char *path, int flags, ...), (path, flags, mode))
WRAP_OPEN(open64, (const char *path, int flags, ...), (path, flags, mode))
WRAP_OPEN(openat, (int d, const char *path, int flags, ...), (d, path, flags, mode))
WRAP_OPEN(openat64, (int d, const char *path, int flags, ...), (d, path, flags, mode))

int rename(const char *from, const char *to)
{
	char b1[PATH_MAX], b2[PATH_MAX];
	REAL(rename);
	return real(fake_path(from, b1), fake_path(to, b2));
}

/* std::filesystem::canonical(): resolve inside the root, hide the root. */
char *realpath(const char *path, char *resolved)
{
	char buf[PATH_MAX];
	const char *p = fake_path(path, buf), *root = fake_root();
	REAL(realpath);
	char *r = real(p, resolved);
	size_t n = root ? strlen(root) : 0;
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (r && p != path && !strncmp(r, root, n) && r[n] == '/')
		memmove(r, r + n, strlen(r + n) + 1);
	return r;
}

/* libkmod picks /lib/modules/`uname -r`; let tests choose the release. */
int uname(struct utsname *u)
{
	const char *rel = getenv("SUSPENDFIX_FAKE_UNAME_R");
	REAL(uname);
	int r = real(u);
	if (r == 0 && rel && *rel)
		snprintf(u->release, sizeof(u->release), "%s", rel);
	return r;
}

/* ---------- 2. fake module syscalls ---------- */

static const char *require_root(const char *call)
{
	const char *root = fake_root();
	if (!root) {
		fprintf(stderr, "suspendfix fakekernel: %s() without an absolute "
			"SUSPENDFIX_FAKE_ROOT; refusing to reach the real kernel\n", call);
		abort();
	}
	return root;
}

/* ROOT/sys/module/NAME + tail (a real path: the wrappers leave it alone). */
static char *sysmod(char buf[PATH_MAX], const char *name, const char *tail)
{
	if (snprintf(buf, PATH_MAX, "%s/sys/module/%s%s", fake_root(), name, tail) >= PATH_MAX)
		buf[0] = '\0';
	return buf;
}

static int read_str(const char *path, char *buf, int size)
{
	FILE *f = fopen(path, "re");
	int ok = f && fgets(buf, size, f);
	if (f)
		fclose(f);
	return ok;
}

static long read_long(const char *path)
{
	char buf[32];
	return read_str(path, buf, sizeof(buf)) ? strtol(buf, NULL, 10) : 0;
}

static void write_file(const char *path, const char *fmt, ...)
{
	FILE *f = fopen(path, "we");
	va_list ap;
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static int is_live(const char *name)
{
	char p[PATH_MAX], s[16];
	return read_str(sysmod(p, name, "/initstate"), s, sizeof(s)) && !strcmp(s, "live\n");
}

static void add_refcnt(const char *name, long delta)
{
	char p[PATH_MAX];
	long v = read_long(sysmod(p, name, "/refcnt")) + delta;
	write_file(p, "%ld\n", v);
}

/* "init NAME 0|ENAME [PARAMS]" / "delete NAME 0|ENAME [force]", one write(). */
void log_call(const char *op, const char *name, int err, const char *extra)
{
	const char *log = getenv("SUSPENDFIX_FAKE_LOG");
	char line[1024];
	if (!log || !*log)
		return;
	int n = snprintf(line, sizeof(line), "%s %s %s%s%s\n", op, name,
			 err ? strerrorname_np(err) : "0", *extra ? " " : "", extra);
	int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1) < 0)
		perror("suspendfix fakekernel: SUSPENDFIX_FAKE_LOG");
	close(fd);
}

/*
 * VAR="mod:EBUSY,mod2:16:2": errno by name or number; with a count only the
 * first COUNT calls fail.  The count lives in ROOT/.fakekernel.OP.MOD so it
 * survives across processes (every modprobe run is a new one).
 */
static int injected(const char *var, const char *op, const char *mod)
{
	const char *spec = getenv(var);
	char *copy, *save = NULL, *e, *c, p[PATH_MAX];
	int err = 0;
	if (!spec || !(copy = strdup(spec)))
		return 0;
	for (char *ent = strtok_r(copy, ",", &save); ent && !err; ent = strtok_r(NULL, ",", &save)) {
		if (!(e = strchr(ent, ':')))
			continue;
		*e++ = '\0';
		if ((c = strchr(e, ':')))
			*c++ = '\0';
		if (strcmp(ent, mod))
			continue;
		err = atoi(e);
		for (int i = 1; i < 4096 && !err; i++)
			if (strerrorname_np(i) && !strcmp(strerrorname_np(i), e))
				err = i;
		if (err && c) {
			snprintf(p, sizeof(p), "%s/.fakekernel.%s.%s", fake_root(), op, mod);
			long used = read_long(p);
			if (used >= atol(c))
				err = 0;
			else
				write_file(p, "%ld\n", used + 1);
		}
	}
	free(copy);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One /proc/modules line: "name size refcnt holder1,holder2, Live 0x0..." */
static void proc_line(FILE *out, const char *name)
{
	char p[PATH_MAX], *names[256];
	size_t n = 0;
	DIR *d = opendir(sysmod(p, name, "/holders"));
	for (struct dirent *e; d && n < 256 && (e = readdir(d));)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	fprintf(out, "%s %ld ", name, read_long(sysmod(p, name, "/coresize")));
	fprintf(out, "%ld ", read_long(sysmod(p, name, "/refcnt")));
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s,", names[i]);
		free(names[i]);
	}
	fprintf(out, "%s Live 0x0000000000000000\n", n ? "" : "-");
}

/* Keep the existing order (newest first), drop unloaded, put `newest` on top. */
static void rewrite_proc_modules(const char *newest)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16], line[1024];
	snprintf(path, sizeof(path), "%s/proc/modules", fake_root());
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	FILE *in = fopen(path, "re"), *out = fopen(tmp, "we");
	if (out && newest)
		proc_line(out, newest);
	while (out && in && fgets(line, sizeof(line), in)) {
		line[strcspn(line, " \n")] = '\0';
		if ((!newest || strcmp(line, newest)) && is_live(line))
			proc_line(out, line);
	}
	if (in)
		fclose(in);
	if (out && fclose(out) == 0)
		rename(tmp, path);
}

/* Section `want` of a 64-bit ELF image, bounds-checked; NULL if absent. */
static const char *elf_section(const void *mem, size_t len, const char *want, size_t *size)
{
	const Elf64_Ehdr *eh = mem;
	const char *base = mem;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shstrndx >= eh->e_shnum ||
	    eh->e_shoff > len || eh->e_shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr))
		return NULL;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
	const Elf64_Shdr *strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset > len || strs->sh_size > len - strs->sh_offset)
		return NULL;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset ||
		    sh[i].sh_name >= strs->sh_size)
			continue;
		const char *nm = base + strs->sh_offset + sh[i].sh_name;
		if (!strncmp(nm, want, strs->sh_size - sh[i].sh_name)) {
			*size = sh[i].sh_size;
			return base + sh[i].sh_offset;
		}
	}
	return NULL;
}

/* Value of "key=" in .modinfo (NUL-separated strings), copied to out. */
static int modinfo(const void *mem, size_t len, const char *key, char *out, size_t outlen)
{
	size_t size = 0, klen = strlen(key);
	const char *s = elf_section(mem, len, ".modinfo", &size), *end = s + size;
	for (; s && s < end; s += strnlen(s, end - s) + 1)
		if ((size_t)(end - s) > klen && !strncmp(s, key, klen) && s[klen] == '=') {
			snprintf(out, outlen, "%.*s", (int)strnlen(s + klen + 1, end - s - klen - 1), s + klen + 1);
			return 0;
		}
	return -1;
}

/* .modinfo depends= as module names (modpost writes file names: xhci-hcd). */
static void module_deps(const void *mem, size_t len, char *out, size_t outlen)
{
	out[0] = '\0';
	modinfo(mem, len, "depends", out, outlen);
	for (; *out; out++)
		if (*out == '-')
			*out = '_';
}

/*
 * The kernel serialises its module list (module_mutex); threads of one process (post loads
 * modules side by side) must not interleave their edits of the fake tree either.
 */
static pthread_mutex_t module_mutex = PTHREAD_MUTEX_INITIALIZER;

static long init_module_locked(void *mem, unsigned long len, const char *params)
{
	char name[64] = "", deps[1024], p[PATH_MAX], link[PATH_MAX], *save = NULL, *d;
	size_t size;
	int err = 0;
	require_root("init_module");
	params = params ? params : "";
	/* The kernel takes the name from struct module; fall back to .modinfo. */
	const char *mod = elf_section(mem, len, ".gnu.linkonce.this_module", &size);
	if (mod && size > MODULE_NAME_OFFSET_64)
		snprintf(name, sizeof(name), "%.*s", (int)strnlen(mod + MODULE_NAME_OFFSET_64,
			 size - MODULE_NAME_OFFSET_64), mod + MODULE_NAME_OFFSET_64);
	if (!name[0] && modinfo(mem, len, "name", name, sizeof(name)) < 0)
		err = ENOEXEC;
	if (!err)
		err = injected("SUSPENDFIX_FAKE_INIT_ERRORS", "init", name);
	if (!err && access(sysmod(p, name, ""), F_OK) == 0)
		err = EEXIST; /* loaded, or built in with parameters */
	module_deps(mem, len, deps, sizeof(deps));
	for (d = strtok_r(deps, ",", &save); d && !err; d = strtok_r(NULL, ",", &save))
		if (!is_live(d))
			err = ENOENT; /* what the kernel returns for "Unknown symbol" */
	if (!err) {
		mkdir(sysmod(p, name, ""), 0755);
		mkdir(sysmod(p, name, "/holders"), 0755);
		mkdir(sysmod(p, name, "/parameters"), 0755);
		write_file(sysmod(p, name, "/refcnt"), "0\n");
		write_file(sysmod(p, name, "/coresize"), "%lu\n", len);
		/* "a=1 b" -> parameters/a = "1", parameters/b = "Y" (no quoting) */
		char *pcopy = strdup(params), *ps = NULL;
		for (char *kv = strtok_r(pcopy, " ", &ps); kv; kv = strtok_r(NULL, " ", &ps)) {
			char *v = strchr(kv, '=');
			if (v)
				*v++ = '\0';
			snprintf(link, sizeof(link), "/parameters/%s", kv);
			write_file(sysmod(p, name, link), "%s\n", v ? v : "Y");
		}
		free(pcopy);
		module_deps(mem, len, deps, sizeof(deps)); /* strtok_r ate it */
		for (d = strtok_r(deps, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
			char target[sizeof(name) + 8];
			snprintf(link, sizeof(link), "/holders/%s", name);
			snprintf(target, sizeof(target), "../../%s", name);
			symlink(target, sysmod(p, d, link));
			add_refcnt(d, 1);
		}
		write_file(sysmod(p, name, "/initstate"), "live\n"); /* last: now live */
		rewrite_proc_modules(name);
	}
	log_call("init", name[0] ? name : "?", err, params);
	errno = err;
	return err ? -1 : 0;
}

long init_module(void *mem, unsigned long len, const char *params)
{
	pthread_mutex_lock(&module_mutex);
	long r = init_module_locked(mem, len, params);
	int saved = errno;
	pthread_mutex_unlock(&module_mutex);
	errno = saved;
	return r;
}

int finit_module(int fd, const char *params, int flags)
{
	struct stat st;
	(void)flags;
	require_root("finit_module");
	if (fstat(fd, &st) < 0)
		return -1;
	void *mem = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (mem == MAP_FAILED)
		return -1;
	long r = init_module(mem, st.st_size, params);
	int saved = errno;
	munmap(mem, st.st_size);
	errno = saved;
	return r;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static long delete_module_locked(const char *name, unsigned int flags)
{
	char p[PATH_MAX], link[PATH_MAX];
	const char *root = require_root("delete_module");
	int err = injected("SUSPENDFIX_FAKE_DELETE_ERRORS", "delete", name);
	if (!err && access(sysmod(p, name, "/initstate"), F_OK) != 0)
		err = ENOENT; /* not loaded, or built in */
	else if (!err && !is_live(name))
		err = EBUSY; /* coming or going */
	if (!err) {
		DIR *d = opendir(sysmod(p, name, "/holders"));
		for (struct dirent *e; d && (e = readdir(d));)
			if (e->d_name[0] != '.')
				err = EWOULDBLOCK;
		if (d)
			closedir(d);
		/* O_TRUNC (force) does not help: Debian has no MODULE_FORCE_UNLOAD */
		if (read_long(sysmod(p, name, "/refcnt")) > 0)
			err = EWOULDBLOCK;
	}
	if (!err) {
		/* Our dependencies are the modules that list us as a holder. */
		snprintf(p, sizeof(p), "%s/sys/module", root);
		snprintf(link, sizeof(link), "/holders/%s", name);
		DIR *d = opendir(p);
		for (struct dirent *e; d && (e = readdir(d));)
			if (e->d_name[0] != '.' && unlink(sysmod(p, e->d_name, link)) == 0)
				add_refcnt(e->d_name, -1);
		if (d)
			closedir(d);
		nftw(sysmod(p, name, ""), rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		rewrite_proc_modules(NULL);
	}
	log_call("delete", name, err, flags & O_TRUNC ? "force" : "");
	errno = err;
	return err ? -1 : 0;
}

long delete_module(const char *name, unsigned int flags)
{
	pthread_mutex_lock(&module_mutex);
	long r = delete_module_locked(name, flags);
	int saved = errno;
	pthread_mutex_unlock(&module_mutex);
	errno = saved;
	return r;
}

/*
 * libkmod calls finit_module via syscall(); route the three module syscalls
 * to the fakes and pass everything else on.  Forwarding six longs is what
 * syscall() itself does on x86-64; surplus ones are ignored by the kernel.
 */
long syscall(long nr, ...)
{
	va_list ap;
	long a[6];
	REAL(syscall);
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	switch (nr) {
	case __NR_finit_module:
		return finit_module((int)a[0], (const char *)a[1], (int)a[2]);
	case __NR_init_module:
		return init_module((void *)a[0], (unsigned long)a[1], (const char *)a[2]);
	case __NR_delete_module:
		return delete_module((const char *)a[0], (unsigned int)a[1]);
	}
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
