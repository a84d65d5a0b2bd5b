#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# install-deps.sh [build|test] — installs from Debian what cordon needs, only
# when something is missing (a fresh Debian 12 has stale package lists and no
# compiler).  `build` (the default): what building and the demo need;
# `test`: also criterion, clang and its sanitizer/fuzzer runtimes, procps.
set -euo pipefail

build_packages=(build-essential meson ninja-build pkg-config
  libseccomp-dev libcap-ng-dev libyajl-dev nettle-dev libarchive-dev libssl-dev zlib1g-dev libzstd-dev libapparmor-dev
  busybox-static libcriterion-dev libnl-route-3-dev libnftables-dev)
# The image fixtures' generator (../shared/fixtures/make-test-images) and its
# self-checks need zstd to umoci; the network tests build a "remote host"
# namespace with iproute2 and read rules back with nftables; pasta (passt)
# and slirp4netns link rootless networks to the outside.
test_packages=(clang libclang-rt-14-dev procps passwd util-linux bsdutils
  zstd jq openssl python3 skopeo umoci iproute2 nftables passt slirp4netns)

want=("${build_packages[@]}")
[ "${1:-build}" = test ] && want+=("${test_packages[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
