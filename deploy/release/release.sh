#!/usr/bin/env bash
# make release: the release artifacts, in dist/.
#
#   drawbridge-VERSION-OS-ARCH            the static binary (web client inside)
#   drawbridge-VERSION-OS-ARCH.tar.gz     it, with README.md, LICENSE and deploy/: the
#                                         README, the unit, the example config and every
#                                         file the README tells you to copy ($deploy_files)
#   drawbridge_DEBVERSION_ARCH.deb        Debian/Ubuntu, linux only: /usr/bin/drawbridge,
#                                         the unit in /lib/systemd/system, the config and
#                                         /etc/logrotate.d/drawbridge as conffiles, the docs
#                                         and the other deploy/ files in
#                                         /usr/share/doc/drawbridge; no maintainer scripts,
#                                         so it enables and starts nothing
#   SHA256SUMS                            of all of the above
#
# for linux/amd64, linux/arm64, darwin/amd64 and darwin/arm64 (on a Mac,
# the binary is for the operator's commands: config check, user, session,
# health). Static (CGO_ENABLED=0), -trimpath, the version from git, and
# every file's time the last commit's, so two runs on one commit give the
# same bytes.
#
# The package is made with dpkg-deb from Debian (dpkg-deb --build
# --root-owner-group) rather than nfpm, which would add a packaging
# library and its dependencies to the product's go.mod for what a dozen
# lines of shell do here.
#
# release.sh --debversion VERSION prints the Debian version it would use.
#
# Environment: VERSION (default: git describe), GO (default: go), OUT
# (default: dist), TARGETS (default: the four above, as OS/ARCH),
# RELEASE_WITHOUT_CLIENT=1 to build without the web client in www/dist
# (only for tests of the packaging: such a binary serves no client).
set -euo pipefail
cd "$(dirname "$0")/../.."

GO=${GO:-go}
OUT=${OUT:-dist}
TARGETS=${TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
# What deploy/README.md and multi-node.md tell the operator to copy or
# read, besides the README, the unit and the config: in every tarball, and
# in the package's docs (logrotate in /etc/logrotate.d instead).
deploy_files="logrotate nginx.conf apache.conf Caddyfile multi-node.md haproxy.cfg cloud-init.yaml"

fail() { echo "release: $*" >&2; exit 1; }

# debversion turns git describe's output into a Debian version, which
# must start with a digit and sort in release order:
#   v1.2.3 -> 1.2.3; v1.2.3-4-gabc1234 -> 1.2.3+git4.gabc1234;
#   abc1234 (no tag yet) -> 0~git20261207.abc1234; -dirty -> +dirty.
debversion() {
  local v=$1 dirty=""
  case "$v" in *-dirty) v=${v%-dirty}; dirty="+dirty" ;; esac
  if [[ $v =~ ^[0-9a-f]{7,40}$ ]]; then
    # No tag yet: git describe --always gives the commit, which may
    # start with a digit but is no version.
    echo "0~git$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d).$v$dirty"
    return
  fi
  v=${v#v}
  if [[ $v =~ ^([0-9][A-Za-z0-9.~+]*)-([0-9]+)-(g[0-9a-f]+)$ ]]; then
    v="${BASH_REMATCH[1]}+git${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
  elif [[ $v =~ ^[0-9] ]]; then
    v=${v//-/\~}
  else
    v="0~git$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d).$v"
  fi
  echo "$v$dirty"
}

if [ "${1:-}" = "--debversion" ]; then
  debversion "${2:?usage: release.sh --debversion VERSION}"
  exit 0
fi
if [ ! -f www/dist/manifest.json ] && [ "${RELEASE_WITHOUT_CLIENT:-}" != 1 ]; then
  fail "www/dist has no web client: run make wasm first (make release does)"
fi
# The project has no LICENSE file yet: the artifacts carry one when it
# does, and until then this says so on every run rather than inventing one.
license=""
if [ -f LICENSE ]; then
  license=LICENSE
else
  echo "release: warning: no LICENSE at the repository's top: the artifacts carry none (add one before publishing)" >&2
fi
case "$VERSION" in
  *[!A-Za-z0-9.+~-]*|"") fail "VERSION $VERSION: letters, digits and . + ~ - only" ;;
esac

DEBVERSION=$(debversion "$VERSION")
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# tarball DIR NAME: NAME.tar.gz of DIR's contents under NAME/, root-owned.
tarball() {
  tar -C "$1" --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime="@$SOURCE_DATE_EPOCH" --transform "s,^\.,$2," -cf - . | gzip -9n > "$OUT/$2.tar.gz"
}

artifacts=()
for target in $TARGETS; do
  os=${target%/*} arch=${target#*/}
  name="drawbridge-$VERSION-$os-$arch"
  echo "release: $name"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$GO" build -trimpath \
    -ldflags "-s -w -X main.version=$VERSION" -o "$OUT/$name" ./gateway
  touch -d "@$SOURCE_DATE_EPOCH" "$OUT/$name"
  artifacts+=("$name")

  t="$work/$name"
  install -D -m 0755 "$OUT/$name" "$t/drawbridge"
  install -D -m 0644 README.md "$t/README.md"
  [ -z "$license" ] || install -D -m 0644 "$license" "$t/LICENSE"
  install -D -m 0644 deploy/README.md "$t/deploy/README.md"
  install -D -m 0644 deploy/drawbridge.service "$t/deploy/drawbridge.service"
  install -D -m 0644 deploy/drawbridge.toml "$t/deploy/drawbridge.toml"
  for f in $deploy_files; do install -D -m 0644 "deploy/$f" "$t/deploy/$f"; done
  tarball "$t" "$name"
  artifacts+=("$name.tar.gz")

  [ "$os" = linux ] || continue
  command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing (Debian's dpkg): make deps"
  deb="drawbridge_${DEBVERSION}_$arch.deb"
  r="$work/deb-$arch"
  install -D -m 0755 "$OUT/$name" "$r/usr/bin/drawbridge"
  install -D -m 0644 deploy/drawbridge.service "$r/lib/systemd/system/drawbridge.service"
  install -D -m 0644 deploy/drawbridge.toml "$r/etc/drawbridge/drawbridge.toml"
  # The example config's audit log directory, so that config check passes
  # before the first start; under DynamicUser=yes systemd moves it to
  # /var/log/private at that start (LogsDirectory=).
  install -d -m 0700 "$r/var/log/drawbridge"
  install -D -m 0644 README.md "$r/usr/share/doc/drawbridge/README.md"
  install -D -m 0644 deploy/README.md "$r/usr/share/doc/drawbridge/deploy/README.md"
  # The README's "Rotating the audit log", in place (a conffile, as the
  # config is); the other files the README copies from deploy/ beside it.
  install -D -m 0644 deploy/logrotate "$r/etc/logrotate.d/drawbridge"
  for f in $deploy_files; do
    [ "$f" = logrotate ] || install -D -m 0644 "deploy/$f" "$r/usr/share/doc/drawbridge/deploy/$f"
  done
  [ -z "$license" ] || install -D -m 0644 "$license" "$r/usr/share/doc/drawbridge/copyright"
  install -d -m 0755 "$r/DEBIAN"
  printf '%s\n' /etc/drawbridge/drawbridge.toml /etc/logrotate.d/drawbridge > "$r/DEBIAN/conffiles"
  cat > "$r/DEBIAN/control" <<CONTROL
Package: drawbridge
Version: $DEBVERSION
Architecture: $arch
Maintainer: Drawbridge maintainers <drawbridge@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$r" | cut -f1)
Section: net
Priority: optional
Description: web client and TLS gateway in front of a telnet game
 Drawbridge serves a terminal client to browsers over HTTPS and bridges
 each player's WebSocket to a telnet connection to the game (a MUD, MUSH,
 MOO or roguelike), with certificates from Let's Encrypt.
 .
 The package installs the static binary, a hardened systemd unit and the
 example configuration, and starts nothing: edit
 /etc/drawbridge/drawbridge.toml, check it with
 drawbridge config check -config /etc/drawbridge/drawbridge.toml, then
 systemctl enable --now --no-block drawbridge.
CONTROL
  find "$r" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zxz --build "$r" "$OUT/$deb" >/dev/null
  artifacts+=("$deb")
done

(cd "$OUT" && sha256sum "${artifacts[@]}" > SHA256SUMS)
echo "release: $OUT/SHA256SUMS"
