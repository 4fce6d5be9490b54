#!/bin/sh
# make-standin-tree.sh DESTDIR - build an installed tree that looks like suspendfix's
# (same paths) but holds the harness stand-in, for proving tests/vm before the real
# binary exists. The tree includes a small libudev+libkmod ELF (elfprobe) so that
# build-initramfs.sh's ldd-based library copying is exercised too.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
D=${1:?usage: make-standin-tree.sh DESTDIR}
rm -rf "$D"
mkdir -p "$D/usr/bin" "$D/usr/lib/systemd/system-sleep" "$D/usr/lib/pm-utils/sleep.d" \
         "$D/usr/lib/elogind/system-sleep" \
         "$D/usr/lib/suspendfix-standin" "$D/usr/share/suspendfix/profiles"
install -m 0755 "$HERE/suspendfix-standin.sh" "$D/usr/bin/suspendfix"
cat > "$D/usr/lib/systemd/system-sleep/suspendfix" <<'H'
#!/bin/sh
# stand-in systemd-sleep hook: $1 = pre|post, $2 = suspend|hibernate|hybrid-sleep|...
exec /usr/bin/suspendfix hook "$1" "$2"
H
cp "$D/usr/lib/systemd/system-sleep/suspendfix" "$D/usr/lib/elogind/system-sleep/suspendfix"
cat > "$D/usr/lib/pm-utils/sleep.d/77suspendfix" <<'H'
#!/bin/sh
# stand-in pm-utils hook: $1 = suspend|hibernate|resume|thaw
case $1 in
    suspend|hibernate) exec /usr/bin/suspendfix hook pre "$1" ;;
    resume|thaw) exec /usr/bin/suspendfix hook post "$1" ;;
esac
exit 0
H
chmod 0755 "$D/usr/lib/systemd/system-sleep/suspendfix" "$D/usr/lib/elogind/system-sleep/suspendfix" \
    "$D/usr/lib/pm-utils/sleep.d/77suspendfix"
echo "# stand-in: no real profiles" > "$D/usr/share/suspendfix/profiles/README"
if pkg-config --exists libudev libkmod 2>/dev/null && command -v cc >/dev/null; then
    # shellcheck disable=SC2046
    cc -O2 -Wall -o "$D/usr/lib/suspendfix-standin/elfprobe" "$HERE/elfprobe.c" \
        $(pkg-config --cflags --libs libudev libkmod) # word splitting intended
else
    echo "make-standin-tree: libudev-dev/libkmod-dev or cc missing; no elfprobe" >&2
fi
echo "$D"
