# bash completion for suspendfix(8)                                   -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-contained: uses bash-completion's _filedir when it is loaded, compgen otherwise.

# Completes paths into COMPREPLY: "-d" directories only, "yaml" *.yaml files and
# directories, nothing: any file.
_suspendfix_paths()
{
    if declare -F _filedir >/dev/null; then
        _filedir "$@"
        return
    fi
    compopt -o filenames 2>/dev/null
    case ${1-} in
        -d) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
        yaml)
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -X '!*.yaml' -- "$cur")
            ;;
        *) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    esac
}

_suspendfix_words()
{
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

_suspendfix()
{
    local cur prev words cword
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    cur=${words[cword]}
    prev=${words[cword - 1]}
    # "--sleep=hy" arrives as "--sleep" "=" "hy" when '=' is in COMP_WORDBREAKS.
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((cword >= 2)); then
        prev=${words[cword - 2]}
    fi

    local sleep_types="suspend hibernate hybrid-sleep suspend-then-hibernate"
    local global_options="-h --help -v --verbose --debug --syslog"
    local takes_value="--sleep --kernel-release --profiles --config --mode --mem-sleep --dir --log --cycles --wake-after --through --min-battery"

    case $prev in
        --sleep) _suspendfix_words "$sleep_types"; return ;;
        --mode) _suspendfix_words "mem freeze disk"; return ;;
        --mem-sleep) _suspendfix_words "s2idle shallow deep"; return ;;
        --through) _suspendfix_words "systemd elogind pm-utils self"; return ;;
        --cycles | --wake-after | --min-battery) return ;;
        --profiles | --dir) _suspendfix_paths -d; return ;;
        --config | --log) _suspendfix_paths; return ;;
        --kernel-release)
            local directory releases=()
            for directory in /lib/modules/*; do
                [[ -d $directory ]] && releases+=("${directory##*/}")
            done
            _suspendfix_words "${releases[*]}"
            return
            ;;
    esac

    # The command, and its positional arguments before the word being completed.
    local i word command="" arguments=()
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        if [[ " $takes_value " == *" $word "* ]]; then
            ((i++))
            [[ ${words[i]-} == = ]] && ((i++))
            continue
        fi
        [[ $word == -* || $word == = ]] && continue
        if [[ -z $command ]]; then
            command=$word
        else
            arguments+=("$word")
        fi
    done

    local options
    case $command in
        "")
            if [[ $cur == -* ]]; then
                _suspendfix_words "$global_options --version"
            else
                _suspendfix_words "detect diagnose hook suspend test status restore import-pm-utils profile validate"
            fi
            return
            ;;
        detect) options="--json --sleep --kernel-release --profiles --config --no-hwdb" ;;
        diagnose) options="--log --json --write --profiles --config --kernel-release" ;;
        hook) options="--dry-run --profiles --config" ;;
        suspend) options="--dry-run --mode --mem-sleep --profiles --config" ;;
        test) options="--cycles --mode --mem-sleep --wake-after --through --keep-going --json --min-battery --dry-run --profiles --config" ;;
        status) options="--json" ;;
        restore) options="--dry-run --config --forget-unreadable" ;;
        import-pm-utils) options="--dir" ;;
        validate) options="-q --quiet" ;;
        profile) options="--kernel-release" ;;
        *) return ;;
    esac
    if [[ $cur == -* ]]; then
        _suspendfix_words "$options $global_options"
        return
    fi

    case $command in
        profile)
            ((${#arguments[@]} == 0)) && _suspendfix_words "new"
            ;;
        hook)
            local frontend=${arguments[0]-}
            case ${#arguments[@]} in
                0) _suspendfix_words "systemd-sleep elogind pm-utils" ;;
                1)
                    case $frontend in
                        systemd-sleep | systemd | elogind) _suspendfix_words "pre post" ;;
                        pm-utils) _suspendfix_words "suspend hibernate resume thaw" ;;
                    esac
                    ;;
                2)
                    case $frontend in
                        systemd-sleep | systemd | elogind) _suspendfix_words "$sleep_types" ;;
                        pm-utils) _suspendfix_words "suspend hibernate suspend_hybrid" ;;
                    esac
                    ;;
            esac
            ;;
        validate) _suspendfix_paths yaml ;;
    esac
}

complete -F _suspendfix suspendfix
