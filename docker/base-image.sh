#!/usr/bin/env bash
# docker/base-image.sh: build unitd-base:bookworm, the base of every test image.
#
# No registry image can be pulled here, so the base is made from scratch:
#   1. debootstrap --variant=minbase bookworm (cached as a tarball under
#      $UNITD_CACHE_DIR, so a later CI run on the same machine skips it);
#   2. docker import of that tree            -> unitd-base:bookworm-minbase
#   3. a small build on top: the host's Node 20 binary, npm and Node headers
#      (node-gyp builds the native addon offline against them), Debian's
#      apt sources with updates and security, and the host's CA bundle
#      (builds reach npm through whatever TLS proxy the host trusts)
#                                             -> unitd-base:bookworm
#
# Node goes where the official node images keep it, /usr/local (bin/node,
# bin/npm, lib/node_modules/npm, include/node), with nothing in /usr/bin:
# apt's maintainer scripts, service(8) and cron run with a PATH without
# /usr/local/bin, and the tests must see what users of those images see.
#
# An image whose recipe label matches is reused, so calling this from every
# test costs one `docker image inspect`. Options:
#   --rebuild   rebuild both images (keeps the debootstrap tarball)
#   --refresh   also debootstrap afresh (new Debian packages)
set -euo pipefail

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly IMAGE=unitd-base:bookworm
readonly ROOTFS_IMAGE=unitd-base:bookworm-minbase
readonly SUITE=bookworm
readonly MIRROR=${UNITD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly CACHE_DIR=${UNITD_CACHE_DIR:-/var/cache/unitd}
readonly TARBALL=$CACHE_DIR/debootstrap-$SUITE-minbase.tar
readonly LOCK=/run/unitd-base-image.lock
readonly NODE_BIN=${UNITD_HOST_NODE:-/usr/bin/node}
readonly NPM_DIR=${UNITD_HOST_NPM:-/usr/lib/node_modules/npm}
readonly NODE_INCLUDE=${UNITD_HOST_NODE_INCLUDE:-/usr/include/node}
readonly HOST_CA_BUNDLE=${UNITD_HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
readonly HOST_LOCAL_CAS=/usr/local/share/ca-certificates

die() {
  echo "base-image.sh: $*" >&2
  exit 1
}

rebuild=0 refresh=0
for arg in "$@"; do
  case $arg in
    --rebuild) rebuild=1 ;;
    --refresh) rebuild=1 refresh=1 ;;
    *) die "usage: base-image.sh [--rebuild|--refresh]" ;;
  esac
done

readonly started=$EPOCHREALTIME
elapsed() { awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

"$HERE/engine.sh" ensure >/dev/null

[[ -x $NODE_BIN ]] || die "no Node binary at $NODE_BIN to copy into the image"
node_version=$("$NODE_BIN" --version)
[[ $node_version == v20.* ]] || die "host Node at $NODE_BIN is $node_version, want v20.x"
[[ -f $NPM_DIR/bin/npm-cli.js ]] || die "no npm at $NPM_DIR"
[[ -f $NODE_INCLUDE/common.gypi ]] || die "no Node headers at $NODE_INCLUDE (node-gyp needs them offline)"

# The recipe label changes when this script or the host's Node/npm changes,
# which is when the image must be rebuilt.
npm_version=$("$NODE_BIN" -p "require('$NPM_DIR/package.json').version")
recipe=$({
  cat "${BASH_SOURCE[0]}"
  echo "$node_version $npm_version"
  cat "$HOST_CA_BUNDLE" 2>/dev/null || true
} | sha256sum | cut -c1-16)

image_label() {
  docker image inspect --format '{{index .Config.Labels "org.unitd.base.recipe"}}' "$1" 2>/dev/null || true
}

exec 9>"$LOCK"
flock -w 900 9 || die "timed out waiting for another base-image.sh holding $LOCK"

if ((!rebuild)) && [[ $(image_label "$IMAGE") == "$recipe" ]]; then
  echo "base-image.sh: $IMAGE up to date (node $node_version), $(elapsed)s"
  exit 0
fi

work=$(mktemp -d /tmp/unitd-base.XXXXXX)
trap 'rm -rf "$work"' EXIT

make_tarball() {
  local root=$work/rootfs
  mkdir -p "$root" "$CACHE_DIR"
  if ! timeout 900 debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1; then
    tail -n 5 "$work/debootstrap.log" >&2
    die "debootstrap $SUITE from $MIRROR failed (last lines above)"
  fi
  # Downloaded .debs and lists are dead weight in an image.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/tmp/*
  tar -C "$root" --numeric-owner -cf "$TARBALL.part" .
  mv "$TARBALL.part" "$TARBALL"
  rm -rf "$root"
}

if ((refresh)) || [[ ! -s $TARBALL ]]; then
  make_tarball
fi

if ((rebuild)) || ! docker image inspect "$ROOTFS_IMAGE" >/dev/null 2>&1; then
  docker import "$TARBALL" "$ROOTFS_IMAGE" >/dev/null ||
    die "docker import $TARBALL failed"
fi

ctx=$work/context
mkdir -p "$ctx"
cp "$NODE_BIN" "$ctx/node"
cp -a "$NPM_DIR" "$ctx/npm"
cp -a "$NODE_INCLUDE" "$ctx/include-node"
# Node has its own CA list; the host's bundle also holds any CA of a proxy
# between this machine and the npm registry. Local CAs are kept where
# update-ca-certificates finds them, should an image install ca-certificates.
mkdir -p "$ctx/ca/local"
if [[ -s $HOST_CA_BUNDLE ]]; then
  cp "$HOST_CA_BUNDLE" "$ctx/ca/ca-certificates.crt"
else
  : >"$ctx/ca/ca-certificates.crt"
fi
if compgen -G "$HOST_LOCAL_CAS/*.crt" >/dev/null; then
  cp "$HOST_LOCAL_CAS"/*.crt "$ctx/ca/local/"
fi
cat >"$ctx/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cat >"$ctx/Dockerfile" <<EOF
FROM $ROOTFS_IMAGE
COPY debian.sources /etc/apt/sources.list.d/debian.sources
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY include-node /usr/local/include/node
COPY ca/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY ca/local /usr/local/share/ca-certificates
RUN rm -f /etc/apt/sources.list \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version >/dev/null && npm --version >/dev/null \\
 && ! PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v node
# node-gyp finds the headers with npm_config_nodedir=/usr/local (Dockerfile.from-source
# sets it for its build step; npm warns about it as an unknown setting).
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \\
    npm_config_update_notifier=false \\
    npm_config_fund=false \\
    npm_config_audit=false \\
    LANG=C.UTF-8
LABEL org.unitd.base.recipe=$recipe org.unitd.base.node=$node_version
CMD ["/bin/bash"]
EOF

if ! DOCKER_BUILDKIT=0 docker build --network host -q -t "$IMAGE" "$ctx" >"$work/build.log" 2>&1; then
  tail -n 10 "$work/build.log" >&2
  die "docker build of $IMAGE failed (last lines above)"
fi
# Untagged images from earlier recipes (old bases and what was built on them).
docker image prune -f --filter label=org.unitd.base.recipe \
  --filter "label!=org.unitd.base.recipe=$recipe" >/dev/null || true
echo "base-image.sh: built $IMAGE (node $node_version, npm $npm_version) in $(elapsed)s"
