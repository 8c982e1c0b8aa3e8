#!/usr/bin/env python3
"""Writes the reference .npy files that NpyTest compares saekit's reader and writer with.

Run from this directory with NumPy 2.x: python3 make_npy_fixtures.py
The same NumPy version always writes the same bytes.

Float values follow one formula that the Java test recomputes: element i (in C order) is
i * 0.37 - 1.5, computed in float64 and then cast to the file's dtype.
"""
import numpy as np


def ramp(shape, dtype):
    n = int(np.prod(shape, dtype=np.int64))
    return (np.arange(n, dtype=np.float64) * 0.37 - 1.5).astype(dtype).reshape(shape)


def save(name, array):
    np.save(name, array, allow_pickle=False)


# C order, little-endian: the writer must reproduce these bytes exactly
for dt, tag in ((np.float32, "f4"), (np.float64, "f8")):
    save(f"{tag}_scalar.npy", ramp((), dt))
    save(f"{tag}_1d.npy", ramp((7,), dt))
    save(f"{tag}_2d.npy", ramp((3, 4), dt))
    save(f"{tag}_3d.npy", ramp((2, 3, 4), dt))
    save(f"{tag}_empty.npy", ramp((0, 5), dt))
save("f4_long_first_axis_empty.npy", ramp((1234567, 0), np.float32))  # fewer growth spaces in the header

# byte orders and Fortran order the reader must handle
save("be_f4_2d.npy", ramp((3, 4), ">f4"))
save("be_f8_3d.npy", ramp((2, 3, 4), ">f8"))
save("fortran_f4_3d.npy", np.asfortranarray(ramp((2, 3, 4), np.float32)))
save("fortran_be_f8_2d.npy", np.asfortranarray(ramp((3, 4), ">f8")))

# every integer type and float16, with extreme values
for code in ("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"):
    info = np.iinfo(code)
    values = [info.min, info.min + 1, -1, 0, 1, 2, info.max - 1, info.max] if info.min < 0 \
        else [0, 1, 2, info.max // 2, info.max - 1, info.max]
    save(f"{code}_extremes.npy", np.array(values, dtype="<" + code))
save("be_i4_extremes.npy", np.array([-2**31, -1, 0, 1, 2**31 - 1], dtype=">i4"))
save("f2_specials.npy", np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1035156e-05, 6e-08, np.inf, -np.inf],
                                 dtype="<f2"))

# header format versions 2.0 and 3.0 (4-byte header length; 3.0 is UTF-8)
for version in ((2, 0), (3, 0)):
    with open(f"f4_2d_v{version[0]}.npy", "wb") as f:
        np.lib.format.write_array(f, ramp((3, 4), np.float32), version=version)
