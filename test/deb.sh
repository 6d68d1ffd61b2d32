#!/usr/bin/env bash
# The .deb (scripts/deb: CPack, shared libraries), checked without touching
# the machine: nothing is installed on it, every check reads the package
# (dpkg-deb), its unpacked tree (dpkg-deb -x into a temporary directory), or
# runs in namespaces of the test's own.
# 1. Control: Depends from dpkg-shlibdeps names the shared libnl, libsodium
#    and Boost libraries; the programs are linked against them (NEEDED).
# 2. Contents: the expected files (README.md, PROTOCOL.md, copyright under
#    /usr/share/doc/faild, compressed man pages, the unit, /etc), every
#    file under /etc a conffile, the installed size printed.
# 3. lintian: no error (the warnings are printed).
# 4. The maintainer scripts, in a private mount namespace (the package's
#    init script on /etc/init.d, a tmpfs /run with /run/systemd/system) with
#    stub deb-systemd-helper, update-rc.d, invoke-rc.d, systemctl and
#    deb-systemd-invoke that only record their calls: postinst configure
#    enables and starts faild as debhelper's would, prerm stops it, postrm
#    purge cleans up.
# 5. A fresh two-host deployment as the README's "Deploy on two hosts" says,
#    in a lab of namespaces, from the unpacked package: the packaged
#    faild.conf and a shared key file on each host, the nftables example in
#    a ruleset that drops everything else, faild --check-config, faild;
#    faildctl status, a link cut (silent, at the switch) and
#    `ip route show proto faild`, then the repair. Its output is printed.
# Exit 0 pass, 1 fail, 77 when dpkg-deb/cpack or namespaces are missing.
set -u
SRC=${FAILD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
command -v dpkg-deb >/dev/null && command -v cpack >/dev/null || { echo "SKIP: no dpkg-deb or cpack"; exit 77; }
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

if [[ -n ${FAILD_DEB_FILE:-} ]]; then
  DEB=$FAILD_DEB_FILE
else
  DEB=$("$SRC/scripts/deb" | tail -n1) || { echo "FAIL: scripts/deb failed"; exit 1; }
fi
[[ -f $DEB ]] || { echo "FAIL: no package at '$DEB'"; exit 1; }
echo "package: $DEB ($(stat -c %s "$DEB") bytes)"
PKG=$(mktemp -d /tmp/faild-deb.XXXXXX) || exit 1
trap 'rm -rf "$PKG"' EXIT
ROOT=$PKG/root CTRL=$PKG/control
dpkg-deb -x "$DEB" "$ROOT" && dpkg-deb -e "$DEB" "$CTRL" || { echo "FAIL: cannot unpack $DEB"; exit 1; }

# 1. Control and linking.
field() { dpkg-deb -f "$DEB" "$1"; }
[[ $(field Package) == faild ]] || bad "Package: $(field Package)"
depends=$(field Depends)
for lib in libnl-3-200 libnl-route-3-200 libsodium23 libboost-log1.74.0 libboost-program-options1.74.0 libc6; do
  [[ $depends == *"$lib "* || $depends == *"$lib," || $depends == *"$lib" ]] || bad "Depends lacks $lib: $depends"
done
[[ $(field Pre-Depends) == *init-system-helpers* ]] || bad "no Pre-Depends on init-system-helpers"
needed=$(readelf -d "$ROOT/usr/sbin/faild" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | paste -sd' ')
for so in libnl-route-3.so.200 libnl-3.so.200 libsodium.so.23 libboost_log.so.1.74.0 libstdc++.so.6; do
  [[ " $needed " == *" $so "* ]] || bad "faild is not linked against $so (NEEDED: $needed)"
done
[[ $(readelf -S "$ROOT/usr/sbin/faild" | grep -c '\.debug_info') == 0 ]] || bad "faild is not stripped"
echo "Installed-Size: $(field Installed-Size) KiB; Depends: $depends"

# 2. Contents.
want=$(sort <<'EOF2'
/etc/default/faild
/etc/faild/faild.conf
/etc/init.d/faild
/etc/iproute2/rt_protos.d/faild.conf
/etc/logrotate.d/faild
/usr/lib/systemd/system/faild.service
/usr/sbin/faild
/usr/sbin/faildctl
/usr/share/doc/faild/LICENSE
/usr/share/doc/faild/PROTOCOL.md
/usr/share/doc/faild/README.md
/usr/share/doc/faild/changelog.Debian.gz
/usr/share/doc/faild/copyright
/usr/share/doc/faild/examples/conf.d/10-example.conf.sample
/usr/share/doc/faild/examples/faild-notify.example
/usr/share/doc/faild/examples/faild.nft
/usr/share/man/man5/faild.conf.5.gz
/usr/share/man/man8/faild.8.gz
/usr/share/man/man8/faildctl.8.gz
EOF2
)
got=$(cd "$ROOT" && find . ! -type d -printf '/%P\n' | sort)
[[ $got == "$want" ]] || bad "the package's files differ: $(diff <(echo "$want") <(echo "$got"))"
[[ -d $ROOT/etc/faild/conf.d ]] || bad "no /etc/faild/conf.d"
[[ $(sort "$CTRL/conffiles") == "$(grep '^/etc/' <<<"$want")" ]] ||
  bad "conffiles is not every file under /etc: $(cat "$CTRL/conffiles")"
cmp -s "$ROOT/usr/share/doc/faild/README.md" "$SRC/README.md" || bad "README.md differs from the source's"
gzip -dc "$ROOT/usr/share/man/man8/faild.8.gz" | cmp -s - "$SRC/faild/doc/faild.8" || bad "faild.8.gz is not faild.8"
grep -q '^requestor = yes$' "$ROOT/etc/faild/faild.conf" || bad "the packaged faild.conf makes no requestor"

# 3. lintian.
if command -v lintian >/dev/null; then
  lint=$(lintian "$DEB" 2>&1 | grep -E '^[EWI]: ')
  echo "lintian: $(grep -c '^E: ' <<<"$lint") errors, $(grep -c '^W: ' <<<"$lint") warnings"
  [[ -n $lint ]] && sed 's/^/  /' <<<"$lint"
  grep -q '^E: ' <<<"$lint" && bad "lintian errors"
else
  echo "note: no lintian (scripts/setup installs it)"
fi

# 4. Maintainer scripts with recording stubs, in a private mount namespace.
for s in postinst prerm postrm; do
  sh -n "$CTRL/$s" || bad "$s does not parse"
done
if [[ $EUID -eq 0 ]] && command -v unshare >/dev/null; then
  mkdir -p "$PKG/stubs"
  for c in deb-systemd-helper update-rc.d invoke-rc.d systemctl deb-systemd-invoke; do
    printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$c" "$PKG/calls" >"$PKG/stubs/$c"
    chmod 755 "$PKG/stubs/$c"
  done
  maint() {  # maint SCRIPT ARGS...: the script's calls, one per line
    : >"$PKG/calls"
    # shellcheck disable=SC2016  # expanded by the inner sh
    unshare -m --propagation private sh -c '
      set -e
      mount --bind "$1/etc/init.d" /etc/init.d
      mount -t tmpfs -o size=64k faild-test-run /run
      mkdir -p /run/systemd/system
      script=$2; shift 2
      PATH="$STUBS:$PATH" sh "$script" "$@"' _ "$ROOT" "$CTRL/$1" "${@:2}" || bad "$1 $* failed"
    cat "$PKG/calls"
  }
  export STUBS=$PKG/stubs
  calls=$(maint postinst configure)
  for want in "deb-systemd-helper unmask faild.service" "deb-systemd-helper --quiet was-enabled faild.service" \
    "deb-systemd-helper enable faild.service" "update-rc.d faild defaults" \
    "invoke-rc.d --skip-systemd-native faild start" "systemctl --system daemon-reload" \
    "deb-systemd-invoke start faild.service"; do
    grep -qxF "$want" <<<"$calls" || bad "postinst configure did not call '$want': $(paste -sd';' <<<"$calls")"
  done
  calls=$(maint postinst configure 0.1.0-1)
  grep -qxF "deb-systemd-invoke restart faild.service" <<<"$calls" || bad "an upgrade does not restart faild: $calls"
  calls=$(maint prerm remove)
  grep -qxF "deb-systemd-invoke stop faild.service" <<<"$calls" && grep -qxF "invoke-rc.d --skip-systemd-native faild stop" <<<"$calls" ||
    bad "prerm remove does not stop faild: $(paste -sd';' <<<"$calls")"
  calls=$(maint postrm purge)
  grep -qxF "deb-systemd-helper purge faild.service" <<<"$calls" && grep -qxF "update-rc.d faild remove" <<<"$calls" ||
    bad "postrm purge does not clean up: $(paste -sd';' <<<"$calls")"
  echo "maintainer scripts: postinst, prerm, postrm call what debhelper's would"
else
  echo "note: not root: the maintainer scripts only parsed"
fi
((fails == 0)) || { echo "deb: $fails failed"; exit 1; }

# 5. Two hosts, as the README says, from the unpacked package.
FAILD=$ROOT/usr/sbin/faild FAILDCTL=$ROOT/usr/sbin/faildctl
export FAILD_BIN=$FAILD FAILDCTL_BIN=$FAILDCTL FAILD_SOURCE_DIR=$SRC LAB=fdeb$$
# shellcheck source-path=SCRIPTDIR source=netns/lib/common.bash
source "$SRC/test/netns/lib/common.bash" || exit 1
trap 'rm -rf "$PKG"' EXIT
netns_begin deb-deploy "$FAILD" "$FAILDCTL"
trap 'netns_cleanup; rm -rf "$PKG"' EXIT
lab_up 2 || fail "lab_up"

key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')  # the README: openssl rand -hex 32
for h in h1 h2; do
  etc=$DIR/$h/etc/faild
  mkdir -p "$etc/conf.d"
  cp "$ROOT/etc/faild/faild.conf" "$etc/faild.conf"
  (umask 077 && echo "$key" >"$etc/key")
  printf 'key-file = %s\n' "$etc/key" >"$etc/conf.d/50-key.conf"
  if command -v nft >/dev/null; then
    cat >"$DIR/$h/nftables.conf" <<EOF2
flush ruleset
include "$ROOT/usr/share/doc/faild/examples/faild.nft"
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		meta l4proto ipv6-icmp accept
		jump faild_probes
	}
}
EOF2
    lab_exec "$h" nft -f "$DIR/$h/nftables.conf" || fail "nft -f on $h"
  fi
  # FAILD_OPTS of this lab: its own log and control socket, not the machine's.
  opts=(-c "$etc/faild.conf" --node-id "$h" -l "$DIR/$h.log" --control-socket "$DIR/$h.control")
  out=$(lab_exec "$h" "$FAILD" "${opts[@]}" --check-config 2>&1) || fail "--check-config on $h: $out"
  grep -q '^requestor = yes$' <<<"$out" || fail "the packaged faild.conf is no requestor on $h: $out"
  lab_spawn "$h" "$DIR/$h.out" "$FAILD" "${opts[@]}" || fail "start $h"
  DPID[$h]=$LAB_PID
done
command -v nft >/dev/null && step "nftables: the example's chain in a drop-by-default input chain on both hosts"
L1=$DIR/h1.log L2=$DIR/h2.log
wait_paths_up
grep -q 'event=start .*auth="hmac-sha256 keys=1"' "$L1" || fail "h1 is not authenticating"
status() { lab_exec h1 "$FAILDCTL" -s "$DIR/h1.control" status; }
step "h1: faildctl status"
status | sed 's/^/    /'
show_proto_faild() {  # ip route show proto faild in h1, with the package's rt_protos.d
  if [[ -d /etc/iproute2/rt_protos.d ]]; then
    # shellcheck disable=SC2016  # expanded by the inner sh
    unshare -m --propagation private sh -c 'mount --bind "$1" /etc/iproute2/rt_protos.d && ip -n "$2" route show proto faild' \
      _ "$ROOT/etc/iproute2/rt_protos.d" "$LAB-h1"
  else
    ip -n "$LAB-h1" route show proto 250
  fi
}
lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 both_failed_over || { show_routes; fail "no failover after the cut of h2's LAN A"; }
step "h2's LAN A cut at the switch: h1: ip route show proto faild"
routes=$(show_proto_faild)
sed 's/^/    /' <<<"$routes"
grep -qE '^192\.0\.2\.2 via 198\.51\.100\.2 dev eth1 (proto faild )?src 192\.0\.2\.1' <<<"$routes" ||
  fail "ip route show proto faild: $routes"
step "h1: faildctl status"
status | sed 's/^/    /'
status | grep -qE '\bdown\b' || fail "faildctl shows no path down"
lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || { show_routes; fail "no switchback"; }
step "repaired: no faild route left"
# What the README shows is what faild prints.
readme=$ROOT/usr/share/doc/faild/README.md
grep -qxF "$(status | head -n1)" "$readme" || fail "the README's faildctl status header is not faild's: $(status | head -n1)"
grep -qxF "$(sed 's/ *$//' <<<"$routes" | head -n1)" "$readme" || fail "the README does not show the route as ip prints it: $routes"
if command -v nft >/dev/null; then
  # The README's cut without physical access: drop faild's probes on h2's eth0.
  lab_exec h2 nft insert rule inet filter input iifname "eth0" udp dport 7793 drop || fail "nft insert on h2"
  lab_wait 15 both_failed_over || { show_routes; fail "no failover after the README's nft cut"; }
  handle=$(lab_exec h2 nft -a list chain inet filter input | sed -n 's/.*iifname "eth0" udp dport 7793 drop # handle \([0-9]*\)/\1/p')
  lab_exec h2 nft delete rule inet filter input handle "$handle" || fail "nft delete on h2"
  lab_wait 20 both_empty || { show_routes; fail "no switchback after the nft rule went"; }
  step "the README's nft cut of h2's LAN A: failover, and back"
fi
netns_pass
