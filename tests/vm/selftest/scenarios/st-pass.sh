#!/bin/sh
# harness self-test: the positive control -> PASS
. /sfx/guest-lib.sh
check st.true true
check_not st.false_is_false false
check_eq st.eq a a
exit 0
