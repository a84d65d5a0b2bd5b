#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# make-image.sh ROOTFS LAYOUT [TAG] — an OCI image layout (one gzip layer)
# from a root directory, with nothing but tar, gzip and sha256sum: what a
# build step hands to `cordon image import oci:LAYOUT:TAG`.  Reproducible:
# sorted entries, numeric root ownership, fixed times.
set -euo pipefail
rootfs=${1:?usage: make-image.sh ROOTFS LAYOUT [TAG]}
layout=${2:?usage: make-image.sh ROOTFS LAYOUT [TAG]}
tag=${3:-latest}

mkdir -p "$layout/blobs/sha256"
blob() { # FILE -> prints "sha256:HEX SIZE" and stores the file as a blob
  local hex size
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  mv "$1" "$layout/blobs/sha256/$hex"
  echo "sha256:$hex $size"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tar -C "$rootfs" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
  --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* -cf "$tmp/layer.tar" .
diff_id=sha256:$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
gzip -n "$tmp/layer.tar"
read -r layer layer_size < <(blob "$tmp/layer.tar.gz")

printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
  "$diff_id" >"$tmp/config.json"
read -r config config_size < <(blob "$tmp/config.json")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
  "$config" "$config_size" "$layer" "$layer_size" >"$tmp/manifest.json"
read -r manifest manifest_size < <(blob "$tmp/manifest.json")

printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest" "$manifest_size" "$tag" >"$layout/index.json"
echo "$manifest"
