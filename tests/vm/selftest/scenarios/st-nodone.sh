#!/bin/sh
# harness self-test: passes, then powers off before /init prints @@DONE -> FAIL
. /sfx/guest-lib.sh
check st.true true
sync
poweroff -f
