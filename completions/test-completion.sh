#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Behaviour of the bash completion: sources it, completes a few command lines, and compares
# COMPREPLY with what a person should see. Given bash-completion's main script as well, it
# sources that first, so that _filedir completes the paths instead of the fallbacks.
# Usage: test-completion.sh [completions/suspendfix.bash [/usr/share/bash-completion/bash_completion]]
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [[ -n ${2-} ]]; then
    # shellcheck source=/dev/null
    source "$2"
    declare -F _filedir >/dev/null || { echo "$2 defines no _filedir"; exit 1; }
fi
# shellcheck source=SCRIPTDIR/suspendfix.bash
source "${1:-$here/suspendfix.bash}"

passed=0
failed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/vendor"
touch "$scratch/nec.yaml" "$scratch/notes.txt"

# check "COMMAND LINE" "EXPECTED WORDS": completes the last word of the line ("" after a
# trailing space) and compares the sorted COMPREPLY with the sorted expected words.
check() {
    local line=$1 expected=$2
    local -a COMP_WORDS
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    local COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    local COMP_LINE=$line COMP_POINT=${#line}
    COMPREPLY=()
    _suspendfix suspendfix "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    local got want words
    read -r -a words <<<"$expected"
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
    want=$(printf '%s\n' "${words[@]}" | sort | tr '\n' ' ')
    if [[ $got == "$want" ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL: "%s"\n  expected: %s\n  got:      %s\n' "$line" "$want" "$got"
    fi
}

sleep_types="suspend hibernate hybrid-sleep suspend-then-hibernate"
check "suspendfix de" "detect"
check "suspendfix " "detect diagnose hook suspend test status restore import-pm-utils profile validate"
check "suspendfix di" "diagnose"
check "suspendfix diagnose --w" "--write"
check "suspendfix -v st" "status"
check "suspendfix --ver" "--version --verbose"
check "suspendfix hook " "systemd-sleep elogind pm-utils"
check "suspendfix hook systemd-sleep " "pre post"
check "suspendfix hook elogind post " "$sleep_types"
check "suspendfix hook --dry-run --profiles /tmp systemd-sleep pre " "$sleep_types"
check "suspendfix hook pm-utils " "suspend hibernate resume thaw"
check "suspendfix hook pm-utils suspend " "suspend hibernate suspend_hybrid"
check "suspendfix hook systemd-sleep pre suspend " ""
check "suspendfix detect --sl" "--sleep"
check "suspendfix detect --sleep " "$sleep_types"
check "suspendfix detect --sleep = hy" "hybrid-sleep"
check "suspendfix detect --profiles /tmp --j" "--json"
check "suspendfix suspend --mode " "mem freeze disk"
check "suspendfix suspend --mem-sleep " "s2idle shallow deep"
check "suspendfix restore --d" "--dry-run --debug"
check "suspendfix test --through " "systemd elogind pm-utils self"
check "suspendfix test --cycles 3 --k" "--keep-going"
check "suspendfix status --json " ""
check "suspendfix import-pm-utils --d" "--dir --debug"
check "suspendfix validate -q" "-q"
check "suspendfix validate $scratch/" "$scratch/vendor $scratch/nec.yaml"
check "suspendfix detect --profiles $scratch/" "$scratch/vendor"
check "suspendfix import-pm-utils --dir $scratch/" "$scratch/vendor"
check "suspendfix detect --config $scratch/no" "$scratch/notes.txt"

echo "$passed passed, $failed failed"
((failed == 0))
