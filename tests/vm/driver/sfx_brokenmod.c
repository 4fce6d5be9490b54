// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sfx_brokenmod: a PCI driver that breaks system sleep on purpose, for suspendfix's VM tests.
 *
 * It binds QEMU's "edu" test device (-device edu, PCI 1234:11e8) under the driver name
 * "sfx_broken", which differs from the module name on purpose (like xhci_hcd in xhci_pci):
 * tools that name the module from the driver get it wrong.
 *
 * Parameters (all but pinned can be changed at run time under
 * /sys/module/sfx_brokenmod/parameters/):
 *   phase   which callback fails: suspend (default), suspend_late, suspend_noirq, resume,
 *           resume_early, resume_noirq, or none
 *   err     the errno it returns, negative or positive (default -16, -EBUSY); 0 = no failure
 *   pinned  take a reference on the module at init, so it can never be unloaded (like a
 *           driver that is always busy); rmmod then fails with EAGAIN
 *   failures (read only) how many callbacks failed so far
 *
 * Loading it with the defaults makes every suspend fail: write error EBUSY from
 * /sys/power/state, and "sfx_broken <slot>: PM: failed to suspend async: error -16".
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm.h>
#include <linux/string.h>

static char phase[16] = "suspend";
module_param_string(phase, phase, sizeof(phase), 0644);
MODULE_PARM_DESC(phase, "failing callback: suspend, suspend_late, suspend_noirq, resume, resume_early, resume_noirq, none");

static int err = -EBUSY;
module_param(err, int, 0644);
MODULE_PARM_DESC(err, "errno the failing callback returns (sign ignored, default 16 = EBUSY, 0 = none)");

static bool pinned;
module_param(pinned, bool, 0444);
MODULE_PARM_DESC(pinned, "hold a reference on the module so that it can never be unloaded");

static int failures;
module_param(failures, int, 0444);
MODULE_PARM_DESC(failures, "number of callbacks that failed (read only)");

/* Returns the configured error when STEP is the failing phase, else 0. */
static int sfxb_step(struct device *dev, const char *step)
{
	int ret = err > 0 ? -err : err;

	if (!sysfs_streq(phase, step) || ret == 0) {
		dev_dbg(dev, "%s: ok\n", step);
		return 0;
	}
	failures++;
	dev_info(dev, "failing %s on purpose: %d\n", step, ret);
	return ret;
}

static int sfxb_suspend(struct device *dev) { return sfxb_step(dev, "suspend"); }
static int sfxb_suspend_late(struct device *dev) { return sfxb_step(dev, "suspend_late"); }
static int sfxb_suspend_noirq(struct device *dev) { return sfxb_step(dev, "suspend_noirq"); }
static int sfxb_resume_noirq(struct device *dev) { return sfxb_step(dev, "resume_noirq"); }
static int sfxb_resume_early(struct device *dev) { return sfxb_step(dev, "resume_early"); }
static int sfxb_resume(struct device *dev) { return sfxb_step(dev, "resume"); }

static const struct dev_pm_ops sfxb_pm_ops = {
	.suspend = sfxb_suspend,
	.suspend_late = sfxb_suspend_late,
	.suspend_noirq = sfxb_suspend_noirq,
	.resume_noirq = sfxb_resume_noirq,
	.resume_early = sfxb_resume_early,
	.resume = sfxb_resume,
};

static int sfxb_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	dev_info(&pdev->dev, "bound: phase=%s err=%d pinned=%d\n", phase, err, pinned);
	return 0;
}

static void sfxb_remove(struct pci_dev *pdev)
{
	dev_info(&pdev->dev, "unbound\n");
}

static const struct pci_device_id sfxb_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) }, /* QEMU edu */
	{}
};
MODULE_DEVICE_TABLE(pci, sfxb_ids);

static struct pci_driver sfxb_driver = {
	.name = "sfx_broken",
	.id_table = sfxb_ids,
	.probe = sfxb_probe,
	.remove = sfxb_remove,
	.driver.pm = &sfxb_pm_ops,
};

static int __init sfxb_init(void)
{
	int ret = pci_register_driver(&sfxb_driver);

	if (ret == 0 && pinned)
		__module_get(THIS_MODULE); /* never put: rmmod fails from now on */
	return ret;
}

static void __exit sfxb_exit(void)
{
	pci_unregister_driver(&sfxb_driver);
}

module_init(sfxb_init);
module_exit(sfxb_exit);
MODULE_DESCRIPTION("suspendfix VM test driver: fails system sleep on purpose");
MODULE_AUTHOR("suspendfix tests");
MODULE_LICENSE("GPL");
