#!/bin/sh
# harness self-test: a check expected to fail that passes (the defect got fixed, the flag was
# not flipped) -> the run must FAIL with "XPASS"
. /sfx/guest-lib.sh
# shellcheck disable=SC2034  # check_xfail reads it through eval
XF=1
check_xfail XF st.fixed_defect true
exit 0
