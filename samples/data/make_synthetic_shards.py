#!/usr/bin/env python3
"""Write synthetic SAE activations as .npy shards, to try `saekit train --data DIR` on data
larger than memory.

Each row is a sparse combination of atoms of a known dictionary plus Gaussian noise:
    x = sum_j c_j * D[i_j] + noise,   K atoms i_j drawn uniformly per row, c_j ~ Exp(1),
with D a random dictionary of unit-norm atoms. Shards are written one at a time in blocks,
so memory stays at about one block whatever the total size.

Needs Python 3 and NumPy (no other package). The data is random: write it outside the
repository, e.g.

    python3 samples/data/make_synthetic_shards.py /tmp/shards --shards 40 --rows 65536
    java -Xmx512m -jar samples/target/saekit.jar train --data /tmp/shards --variant topk

40 shards of 65,536 rows of width 256 in float32 are 2.5 GiB.
"""
import argparse
import os
import sys

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", help="directory to write shard-0000.npy, shard-0001.npy, ... into (created)")
    p.add_argument("--shards", type=int, default=40, help="number of shards (default 40)")
    p.add_argument("--rows", type=int, default=65536, help="rows per shard (default 65536)")
    p.add_argument("--width", type=int, default=256, help="row width (default 256)")
    p.add_argument("--atoms", type=int, default=2048, help="atoms of the true dictionary (default 2048)")
    p.add_argument("--k", type=int, default=8, help="atoms per row (default 8)")
    p.add_argument("--noise", type=float, default=0.05, help="std of the Gaussian noise (default 0.05)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--dtype", default="float32", choices=["float16", "float32", "float64"])
    a = p.parse_args()
    if min(a.shards, a.rows, a.width, a.atoms, a.k) <= 0:
        sys.exit("--shards, --rows, --width, --atoms and --k must be > 0")

    rng = np.random.default_rng(a.seed)
    dictionary = rng.standard_normal((a.atoms, a.width)).astype(np.float32)
    dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    os.makedirs(a.out, exist_ok=True)
    block = 8192
    for s in range(a.shards):
        path = os.path.join(a.out, f"shard-{s:04d}.npy")
        # written in place block by block through a memory map, then renamed, so a shard is complete or absent
        tmp = path + ".tmp"
        shard = np.lib.format.open_memmap(tmp, mode="w+", dtype=a.dtype, shape=(a.rows, a.width))
        for start in range(0, a.rows, block):
            n = min(block, a.rows - start)
            atoms = rng.integers(0, a.atoms, size=(n, a.k))
            coeffs = rng.exponential(1.0, size=(n, a.k)).astype(np.float32)
            x = a.noise * rng.standard_normal((n, a.width), dtype=np.float32)
            for j in range(a.k):
                x += coeffs[:, j, None] * dictionary[atoms[:, j]]
            shard[start:start + n] = x
        shard.flush()
        del shard
        os.replace(tmp, path)
        print(f"wrote {path}", file=sys.stderr)
    total = a.shards * a.rows * a.width * np.dtype(a.dtype).itemsize
    print(f"{a.shards} shards x {a.rows} rows x {a.width} {a.dtype} = {total / 2**30:.2f} GiB in {a.out}")


if __name__ == "__main__":
    main()
