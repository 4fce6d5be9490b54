// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmodctl: a tiny client of the shared libkmod.so.2, used by selftest.sh.
 * The kmod tools (modprobe, rmmod) on Debian link libkmod statically; this
 * proves the shim also works for a program that uses the shared library,
 * which is what suspendfix does.  Exit status 0; results go to stdout:
 *   kmodctl state NAME     live|coming|going|builtin|-ERRNAME
 *   kmodctl refcnt NAME    N
 *   kmodctl holders NAME   space-separated names
 *   kmodctl remove NAME    0|-ERRNAME  (kmod_module_remove_module, flags 0)
 *   kmodctl insert NAME    0|-ERRNAME  (probe_insert, KMOD_PROBE_FAIL_ON_LOADED)
 *   kmodctl lookup ALIAS   module names the alias resolves to
 */
#define _GNU_SOURCE
#include <libkmod.h>
#include <stdio.h>
#include <string.h>

static const char *ename(int err)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "-%s", strerrorname_np(-err) ? strerrorname_np(-err) : "?");
	return err ? buf : "0";
}

int main(int argc, char **argv)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL); /* /lib/modules/`uname -r` */
	struct kmod_module *mod = NULL;
	struct kmod_list *list = NULL, *l;
	if (argc != 3 || !ctx)
		return 2;
	const char *cmd = argv[1], *arg = argv[2];
	if (!strcmp(cmd, "lookup")) {
		int err = kmod_module_new_from_lookup(ctx, arg, &list);
		kmod_list_foreach(l, list) {
			struct kmod_module *m = kmod_module_get_module(l);
			printf("%s%s", l == list ? "" : " ", kmod_module_get_name(m));
			kmod_module_unref(m);
		}
		printf("%s\n", err < 0 ? ename(err) : "");
	} else if (kmod_module_new_from_name(ctx, arg, &mod) < 0) {
		return 2;
	} else if (!strcmp(cmd, "state")) {
		int s = kmod_module_get_initstate(mod);
		printf("%s\n", s < 0 ? ename(s) : kmod_module_initstate_str(s));
	} else if (!strcmp(cmd, "refcnt")) {
		printf("%d\n", kmod_module_get_refcnt(mod));
	} else if (!strcmp(cmd, "holders")) {
		list = kmod_module_get_holders(mod);
		kmod_list_foreach(l, list) {
			struct kmod_module *m = kmod_module_get_module(l);
			printf("%s%s", l == list ? "" : " ", kmod_module_get_name(m));
			kmod_module_unref(m);
		}
		printf("\n");
	} else if (!strcmp(cmd, "remove")) {
		printf("%s\n", ename(kmod_module_remove_module(mod, 0)));
	} else if (!strcmp(cmd, "insert")) {
		printf("%s\n", ename(kmod_module_probe_insert_module(
			mod, KMOD_PROBE_FAIL_ON_LOADED, NULL, NULL, NULL, NULL)));
	} else {
		return 2;
	}
	kmod_module_unref_list(list);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return 0;
}
