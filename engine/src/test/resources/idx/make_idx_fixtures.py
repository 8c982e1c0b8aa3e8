"""Writes the IDX test fixtures of IdxTest (run from this directory: python3 make_idx_fixtures.py).

IDX (the MNIST format): bytes 00 00 TYPE RANK, RANK big-endian uint32 dimensions, then the data,
big-endian, C order. TYPE: 08 uint8, 09 int8, 0B int16, 0C int32, 0D float32, 0E float64.
Float fixtures hold element i = i * 0.37 - 1.5 (C order), like ../npy/make_npy_fixtures.py;
integer fixtures hold the extremes of their type; the image fixture holds element i = (i * 10) % 256.
The .gz copy has mtime 0, so reruns give the same bytes.
"""
import gzip
import struct

import numpy as np

CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(a):
    header = bytes([0, 0, CODES[a.dtype.type], a.ndim]) + struct.pack(">" + "I" * a.ndim, *a.shape)
    return header + a.astype(a.dtype.newbyteorder(">")).tobytes(order="C")


def ramp(dtype, *shape):
    n = int(np.prod(shape))
    return (np.arange(n) * 0.37 - 1.5).astype(dtype).reshape(shape)


def extremes(dtype):
    info = np.iinfo(dtype)
    values = [info.min, info.min + 1, -1, 0, 1, 2, info.max - 1, info.max] if info.min < 0 else \
        [0, 1, 2, info.max // 2, info.max - 1, info.max]
    return np.array(values, dtype=dtype)


files = {
    "f4_2d.idx": ramp(np.float32, 3, 4),
    "f8_3d.idx": ramp(np.float64, 2, 3, 4),
    "f4_empty.idx": ramp(np.float32, 0, 5),
    "u1_extremes.idx": extremes(np.uint8),
    "i1_extremes.idx": extremes(np.int8),
    "i2_extremes.idx": extremes(np.int16),
    "i4_extremes.idx": extremes(np.int32),
    "u1_images.idx": ((np.arange(2 * 3 * 4) * 10) % 256).astype(np.uint8).reshape(2, 3, 4),
}
for name, a in files.items():
    with open(name, "wb") as f:
        f.write(idx_bytes(a))
with open("u1_images.idx.gz", "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
    f.write(idx_bytes(files["u1_images.idx"]))
