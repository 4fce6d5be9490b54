// SPDX-License-Identifier: GPL-2.0-or-later
/* What the parts of the fake kernel's preload library share. */
#pragma once

/* One line "OP NAME RESULT [EXTRA]" appended to $SUSPENDFIX_FAKE_LOG (README.md). */
void log_call(const char *op, const char *name, int err, const char *extra);
