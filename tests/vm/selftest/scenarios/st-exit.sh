#!/bin/sh
# harness self-test: checks pass but the scenario exits non-zero -> FAIL
. /sfx/guest-lib.sh
check st.true true
exit 3
