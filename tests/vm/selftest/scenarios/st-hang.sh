#!/bin/sh
# harness self-test: hangs after a passing check -> timeout, exit 2
. /sfx/guest-lib.sh
check st.true true
sleep 100000
