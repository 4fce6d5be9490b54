#!/bin/sh
# harness self-test: an expected failure (check_xfail, flag on) and a command written ahead
# of its code (require_sfx_command skips the rest) -> the run must still PASS
. /sfx/guest-lib.sh
# shellcheck disable=SC2034  # check_xfail reads it through eval
XF=1
check_xfail XF st.known_defect false
check st.before_skip true
SFX_BIN=/bin/true require_sfx_command no-such-command "selftest"
fail st.after_skip "require_sfx_command did not end the scenario"
exit 0
