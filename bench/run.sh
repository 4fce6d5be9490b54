#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The detect benchmark (bench/README.md). Generates, in a temporary directory, a 200-PCI-device
# machine and databases of 1,000 and 10,000 profiles; runs suspendfix_detect_bench inside a
# umockdev testbed (stage by stage); then, inside one umockdev-run on that same machine, times
# the whole `suspendfix detect` against `lspci -n` (hyperfine if installed, else a loop) and
# measures detect's peak RSS. Prints figures and ratios; asserts nothing.
#
#   bench/run.sh [--quick] [--runs N] [--build-dir DIR] [--callgrind] [--keep]
#
#   --quick       3 runs per figure instead of 11 (a smoke test; the figures are rough)
#   --runs N      samples per figure (default 11)
#   --build-dir   build here (default: build-bench in the source tree, RelWithDebInfo). An
#                 existing build directory is used as configured; a Debug one gives Debug figures.
#   --callgrind   also count instructions with valgrind --tool=callgrind: where loading 1,000
#                 profiles goes, and where detect with the shipped database goes
#   --keep        keep the temporary directory (machine, databases, JSON, callgrind output)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

die() {
  echo "run.sh: $*" >&2
  exit 1
}

# Applies a .sysfs fixture ("link PATH TARGET", "file PATH CONTENT", "dir PATH", paths below
# /sys) to a testbed's sys directory, as tests/integration/testbed.cpp does.
apply_sysfs() {
  local sys=$1 fixture=$2 verb path rest
  while read -r verb path rest; do
    case $verb in
      '' | '#'*) continue ;;
      dir) mkdir -p "$sys/$path" ;;
      file)
        mkdir -p "$(dirname "$sys/$path")"
        printf '%s\n' "$rest" >"$sys/$path"
        ;;
      link)
        mkdir -p "$(dirname "$sys/$path")"
        ln -sfn "$rest" "$sys/$path"
        ;;
      *) die "bad line in $fixture: $verb $path $rest" ;;
    esac
  done <"$fixture"
}

# Median wall time in seconds of N runs of a command, for when hyperfine is missing.
loop_time() {
  local runs=$1 i start end
  shift
  local -a times=()
  "$@" >/dev/null 2>&1 || true  # warm-up
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=("$(((end - start) / 1000))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{t[NR] = $1} END {
    m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.6f\n", m / 1e6 }'
}

# Times named commands (name, then the command as one string of words) into a JSON file
# shaped like hyperfine's export: {"results": [{"command": NAME, "median": SECONDS}, ...]}.
time_commands() {
  local json=$1 runs=$2 name command
  shift 2
  if command -v hyperfine >/dev/null; then
    local -a args=()
    while (($#)); do
      args+=(-n "$1" "$2")
      shift 2
    done
    hyperfine -N --style basic --warmup 3 --runs "$runs" --export-json "$json" "${args[@]}" >&2
    return
  fi
  echo "run.sh: hyperfine not installed (apt-get install hyperfine); timing with a loop" >&2
  local first=1
  printf '{"tool": "loop", "results": [' >"$json"
  while (($#)); do
    name=$1 command=$2
    shift 2
    local -a words
    read -r -a words <<<"$command"
    ((first)) || printf ', ' >>"$json"
    first=0
    printf '{"command": "%s", "median": %s}' "$name" "$(loop_time "$runs" "${words[@]}")" >>"$json"
  done
  printf ']}\n' >>"$json"
}

peak_rss_kb() {
  local out=$1
  shift
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v -o "$out.time" "$@" >/dev/null 2>&1 || true
    awk -F': *' '/Maximum resident set size/ {print $2}' "$out.time" >"$out"
  else
    echo "run.sh: /usr/bin/time missing (package 'time'): no RSS figures" >&2
    echo "" >"$out"
  fi
}

# Runs inside `umockdev-run --device machine.umockdev`: one testbed for every command timed.
inside_testbed() {
  local work=$1 suspendfix=$2 shipped=$3 runs=$4
  [[ -n ${UMOCKDEV_DIR:-} ]] || die "inside_testbed: not under umockdev-run"
  apply_sysfs "$UMOCKDEV_DIR/sys" "$work/machine.sysfs"
  lspci -n >"$work/lspci-testbed.txt" 2>"$work/lspci-testbed.err" || true
  wc -l <"$work/lspci-testbed.txt" | tr -d ' ' >"$work/lspci-testbed-count"
  if [[ $(cat "$work/lspci-testbed-count") != "$(cat "$work/pci-count")" ]]; then
    echo "run.sh: lspci sees $(cat "$work/lspci-testbed-count") devices in the testbed, not" \
      "$(cat "$work/pci-count"): it does not read the fake /sys" >&2
    return 0
  fi
  "$suspendfix" detect --profiles "$shipped" --no-hwdb --json >"$work/detect-shipped.json"
  time_commands "$work/timing-testbed.json" "$runs" \
    "lspci -n" "lspci -n" \
    "detect shipped" "$suspendfix detect --profiles $shipped --no-hwdb" \
    "detect 1k" "$suspendfix detect --profiles $work/profiles-1k --no-hwdb" \
    "detect 10k" "$suspendfix detect --profiles $work/profiles-10k --no-hwdb" \
    "detect shipped, cached" "env SUSPENDFIX_CACHE_DIR=$work/cache $suspendfix detect --profiles $shipped --no-hwdb" \
    "detect 10k, cached" "env SUSPENDFIX_CACHE_DIR=$work/cache $suspendfix detect --profiles $work/profiles-10k --no-hwdb"
  peak_rss_kb "$work/rss-lspci" lspci -n
  peak_rss_kb "$work/rss-shipped" "$suspendfix" detect --profiles "$shipped" --no-hwdb
  peak_rss_kb "$work/rss-1k" "$suspendfix" detect --profiles "$work/profiles-1k" --no-hwdb
  peak_rss_kb "$work/rss-10k" "$suspendfix" detect --profiles "$work/profiles-10k" --no-hwdb
  peak_rss_kb "$work/rss-10k-cached" env SUSPENDFIX_CACHE_DIR="$work/cache" "$suspendfix" detect \
    --profiles "$work/profiles-10k" --no-hwdb
  if [[ -n ${CALLGRIND:-} ]]; then
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.detect-shipped" \
      "$suspendfix" detect --profiles "$shipped" --no-hwdb >/dev/null 2>"$work/callgrind.detect-shipped.log" || true
  fi
}

if [[ ${1:-} == __inside_testbed ]]; then
  shift
  inside_testbed "$@"
  exit 0
fi

runs=11
build=$repo/build-bench
custom_build=0
keep=0
callgrind=0
while (($#)); do
  case $1 in
    --quick) runs=3 ;;
    --runs)
      runs=${2:?--runs needs a number}
      shift
      ;;
    --build-dir)
      build=${2:?--build-dir needs a directory}
      custom_build=1
      shift
      ;;
    --callgrind) callgrind=1 ;;
    --keep) keep=1 ;;
    -h | --help)
      sed -n '3,18p' "$0"
      exit 0
      ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

for tool in cmake python3 umockdev-run umockdev-wrapper lspci; do
  command -v "$tool" >/dev/null || die "$tool is needed"
done
((callgrind == 0)) || command -v valgrind >/dev/null || die "--callgrind needs valgrind"

# --- work directory ------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/suspendfix-bench.XXXXXX")
if ((keep)); then
  echo "run.sh: keeping $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi

# --- build ------------------------------------------------------------------------------
if ((custom_build)) && [[ -f $build/CMakeCache.txt ]]; then
  cmake -S "$repo" -B "$build" -DSUSPENDFIX_BUILD_BENCH=ON >"$work/configure.log" 2>&1 ||
    die "cmake failed: $(tail -n 20 "$work/configure.log")"
else
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
    -DSUSPENDFIX_BUILD_BENCH=ON >"$work/configure.log" 2>&1 ||
    die "cmake failed: $(tail -n 20 "$work/configure.log")"
fi
if ! cmake --build "$build" --target suspendfix suspendfix_detect_bench >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  die "the build failed (log above)"
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
case $build_type in
  Release | RelWithDebInfo) ;;
  *) echo "run.sh: warning: $build is a '${build_type:-no type}' build; the figures are not representative" >&2 ;;
esac
suspendfix=$build/suspendfix
bench=$build/bench/suspendfix_detect_bench
shipped=$repo/profiles

# --- data -------------------------------------------------------------------------------
python3 "$here/gen_machine.py" --out "$work/machine" --pci-count 200
echo 200 >"$work/pci-count"
python3 "$here/gen_profiles.py" --count 1000 --out "$work/profiles-1k" --machine "$work/machine.umockdev"
python3 "$here/gen_profiles.py" --count 10000 --out "$work/profiles-10k" --machine "$work/machine.umockdev"
{
  echo "cpus: $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg)"
  echo "build: $build ($build_type), $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'no git')"
  echo "shipped profiles: $(find "$shipped" -name '*.yaml' | wc -l) in $shipped"
} | tee "$work/host.txt"

# --- stage by stage, in process ------------------------------------------------------------
echo
echo "== suspendfix_detect_bench, in a umockdev testbed (${runs} runs per figure)"
umockdev-wrapper "$bench" --machine "$work/machine" --db "1k=$work/profiles-1k" --db "10k=$work/profiles-10k" \
  --shipped "$shipped" --runs "$runs" --json "$work/bench.json" 2>/dev/null
echo
echo "== the same database stages without umockdev's preload library (production conditions)"
"$bench" --db-only --db "1k=$work/profiles-1k" --db "10k=$work/profiles-10k" --runs "$(((runs + 1) / 2))" \
  --json "$work/bench-nopreload.json" 2>/dev/null

# --- whole processes: detect against lspci -n, on the same testbed --------------------------
echo
echo "== whole processes in one umockdev-run on the same 200-device testbed"
callgrind_flag=""
((callgrind == 0)) || callgrind_flag=1
CALLGRIND=$callgrind_flag umockdev-run --device "$work/machine.umockdev" -- \
  bash "$here/run.sh" __inside_testbed "$work" "$suspendfix" "$shipped" "$runs"
if [[ $(cat "$work/lspci-testbed-count") != 200 ]]; then
  echo "run.sh: lspci does not see the testbed; the ratio below is taken on the host's real /sys" >&2
fi
echo
echo "== the same two commands on this host's real /sys ($(lspci -n | wc -l) PCI devices, no preload)"
time_commands "$work/timing-host.json" "$((runs * 2))" \
  "lspci -n" "lspci -n" \
  "detect shipped" "$suspendfix detect --profiles $shipped --no-hwdb"

# --- instruction counts --------------------------------------------------------------------
if ((callgrind)); then
  echo
  echo "== callgrind: loading 1,000 profiles (instructions, exact; kernel time not counted)"
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.load-1k" \
    "$bench" --load-once "$work/profiles-1k" >/dev/null 2>"$work/callgrind.load-1k.log"
  callgrind_annotate --auto=no --threshold=100 --inclusive=yes "$work/callgrind.load-1k" >"$work/callgrind.load-1k.inclusive.txt"
  callgrind_annotate --auto=no --threshold=100 "$work/callgrind.load-1k" >"$work/callgrind.load-1k.self.txt"
  echo "top functions by own instructions:"
  sed -n '/^Ir/,$p' "$work/callgrind.load-1k.self.txt" | sed -n '6,20p' | cut -c1-150
  if [[ -f $work/callgrind.detect-shipped ]]; then
    callgrind_annotate --auto=no --threshold=100 --inclusive=yes "$work/callgrind.detect-shipped" \
      >"$work/callgrind.detect-shipped.inclusive.txt"
    callgrind_annotate --auto=no --threshold=100 "$work/callgrind.detect-shipped" >"$work/callgrind.detect-shipped.self.txt"
  fi
fi

# --- summary -------------------------------------------------------------------------------
python3 "$here/summary.py" "$work"
