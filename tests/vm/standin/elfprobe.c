/* elfprobe.c - part of the VM harness stand-in tree (NOT suspendfix).
 * A tiny dynamically linked program (libudev + libkmod) so that the harness's
 * "copy every library ldd lists" path is exercised before the real binary exists.
 * Prints, for every PCI device VENDOR:DEVICE, "SLOT DRIVER MODULE MODULE_STATE". */
#include <libkmod.h>
#include <libudev.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *ven = argc > 1 ? argv[1] : "0x1033", *dev = argc > 2 ? argv[2] : "0x0194";
    struct udev *u = udev_new();
    struct kmod_ctx *k = kmod_new(NULL, NULL);
    if (!u || !k) { fprintf(stderr, "elfprobe: udev_new/kmod_new failed\n"); return 2; }
    kmod_load_resources(k);
    struct udev_enumerate *e = udev_enumerate_new(u);
    udev_enumerate_add_match_subsystem(e, "pci");
    udev_enumerate_add_match_sysattr(e, "vendor", ven);
    udev_enumerate_add_match_sysattr(e, "device", dev);
    udev_enumerate_scan_devices(e);
    int n = 0;
    struct udev_list_entry *le;
    udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e)) {
        struct udev_device *d = udev_device_new_from_syspath(u, udev_list_entry_get_name(le));
        if (!d) continue;
        const char *drv = udev_device_get_driver(d);
        char modname[512] = "-";
        const char *state = "-";
        if (drv) {
            char link[512], target[512];
            snprintf(link, sizeof link, "%s/driver/module", udev_device_get_syspath(d));
            ssize_t l = readlink(link, target, sizeof target - 1);
            if (l > 0) {
                target[l] = 0;
                const char *b = strrchr(target, '/');
                snprintf(modname, sizeof modname, "%s", b ? b + 1 : target);
                struct kmod_module *m = NULL;
                if (kmod_module_new_from_name(k, modname, &m) == 0) {
                    state = kmod_module_initstate_str(kmod_module_get_initstate(m));
                    kmod_module_unref(m);
                }
            }
        }
        printf("%s %s %s %s\n", udev_device_get_sysname(d), drv ? drv : "-", modname,
               state ? state : "?");
        udev_device_unref(d);
        n++;
    }
    udev_enumerate_unref(e);
    kmod_unref(k);
    udev_unref(u);
    return n ? 0 : 1;
}
