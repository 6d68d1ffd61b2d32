#!/usr/bin/env bash
# `cmake --install` into a temporary DESTDIR lays out exactly the expected
# tree: every file, its mode, the empty conf.d, and the paths the unit and
# the init script name. Once with --prefix /usr (a package: /etc), once with
# --prefix /usr/local (a local build: /usr/local/etc). Nothing is installed
# outside the temporary directory.
# Exit 0 pass, 1 fail.
set -u
BUILD=${FAILD_BUILD_DIR:-$(dirname "${FAILD_BIN:?FAILD_BIN or FAILD_BUILD_DIR must be set}")}
TMP=$(mktemp -d /tmp/faild-install.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
fails=0
bad() { echo "FAIL [$PREFIX]: $*"; fails=$((fails + 1)); }

check_prefix() {  # PREFIX ETC
  PREFIX=$1
  local etc=$2 root=$TMP/root${1//\//_} out
  mkdir -p "$root"
  if ! out=$(DESTDIR=$root "${CMAKE:-cmake}" --install "$BUILD" --prefix "$PREFIX" 2>&1); then
    bad "cmake --install failed: $out"
    return
  fi
  # Every file and directory, with its mode (directories' modes follow the
  # umask; only the files' are checked).
  local want got
  want=$(sort <<EOF
755 $PREFIX/sbin/faild
755 $PREFIX/sbin/faildctl
644 $PREFIX/share/man/man8/faild.8
644 $PREFIX/share/man/man8/faildctl.8
644 $PREFIX/share/man/man5/faild.conf.5
644 $PREFIX/share/doc/faild/examples/conf.d/10-example.conf.sample
755 $PREFIX/share/doc/faild/examples/faild-notify.example
644 $PREFIX/share/doc/faild/examples/faild.nft
644 $PREFIX/share/doc/faild/README.md
644 $PREFIX/share/doc/faild/PROTOCOL.md
644 $PREFIX/share/doc/faild/LICENSE
644 $PREFIX/lib/systemd/system/faild.service
644 $etc/faild/faild.conf
755 $etc/init.d/faild
644 $etc/default/faild
644 $etc/logrotate.d/faild
644 $etc/iproute2/rt_protos.d/faild.conf
EOF
  )
  got=$(cd "$root" && find . ! -type d -printf '%m /%P\n' | sort)
  [[ $got == "$want" ]] || bad "the installed files differ from the expected ones:
$(diff <(echo "$want") <(echo "$got"))"
  [[ -d $root$etc/faild/conf.d ]] || bad "no $etc/faild/conf.d directory"
  [[ -z $(ls -A "$root$etc/faild/conf.d" 2>/dev/null) ]] || bad "$etc/faild/conf.d is not empty"
  # Every directory holds something expected, or is conf.d: nothing stray.
  local d
  while read -r d; do
    [[ $d == "$etc/faild/conf.d" ]] && continue
    grep -q " $d/" <<<"$want" || bad "unexpected directory $d"
  done < <(cd "$root" && find . -mindepth 1 -type d -printf '/%P\n')

  # The unit and the init script name the installed paths.
  local unit=$root$PREFIX/lib/systemd/system/faild.service init=$root$etc/init.d/faild
  grep -qx "ExecStart=$PREFIX/sbin/faild \$FAILD_OPTS" "$unit" || bad "unit: $(grep '^ExecStart=' "$unit")"
  grep -qx "EnvironmentFile=-$etc/default/faild" "$unit" || bad "unit: $(grep '^EnvironmentFile=' "$unit")"
  grep -qx "DAEMON=\${DAEMON:-$PREFIX/sbin/faild}" "$init" || bad "init: $(grep '^DAEMON=' "$init")"
  grep -qx "DEFAULTS=\${DEFAULTS:-$etc/default/faild}" "$init" || bad "init: $(grep '^DEFAULTS=' "$init")"
  # faild(8) names the unit where it is installed.
  local named
  named=$(grep -o '/[a-z/]*/systemd/system/faild\.service' "$root$PREFIX/share/man/man8/faild.8")
  [[ $PREFIX != /usr || $named == "$PREFIX/lib/systemd/system/faild.service" ]] ||
    bad "faild(8) names the unit as '$named', installed as $PREFIX/lib/systemd/system/faild.service"
  "$root$PREFIX/sbin/faild" --version | grep -q '^faild [0-9]' || bad "the installed faild does not run"
  "$root$PREFIX/sbin/faildctl" --version | grep -q '^faildctl [0-9]' || bad "the installed faildctl does not run"
  # CMake's manifest (paths without DESTDIR) lists exactly these files: the
  # ones installed by install(CODE) are uninstallable too.
  if [[ -f $BUILD/install_manifest.txt ]]; then
    [[ $(sort "$BUILD/install_manifest.txt") == "$(cut -d' ' -f2- <<<"$want" | sort)" ]] ||
      bad "install_manifest.txt differs: $(diff <(cut -d' ' -f2- <<<"$want" | sort) <(sort "$BUILD/install_manifest.txt"))"
  fi
  echo "ok: --prefix $PREFIX: $(wc -l <<<"$got") files, sysconf $etc"
}

check_prefix /usr /etc
check_prefix /usr/local /usr/local/etc
echo "install: $fails failed"
((fails == 0))
