#!/bin/sh
# harness self-test: one passing and one failing check -> the run must FAIL
. /sfx/guest-lib.sh
check st.true true
check st.false false
exit 0
