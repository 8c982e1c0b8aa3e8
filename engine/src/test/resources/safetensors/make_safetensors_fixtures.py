"""Writes the safetensors fixtures of SafetensorsTest with the real library
(run from this directory with safetensors 0.8.0 and NumPy: python3 make_safetensors_fixtures.py).

dtypes.safetensors: one tensor per NumPy-writable dtype, named t_<dtype>: the integer types hold their
extremes, bool holds [True, False, True, True], float16 holds specials, float32/float64 the ramp.
written_by_python.safetensors and written_by_python_meta.safetensors: the tensors that
SafetensorsTest writes itself, to compare the bytes (float32, float64 and int64, the types saekit
writes; one metadata key, because the library writes several in hash-map order).
Ramp: element i (C order) is i * 0.37 - 1.5, cast to the dtype.
"""
import numpy as np
from safetensors.numpy import save_file


def ramp(dtype, *shape):
    n = int(np.prod(shape))
    return (np.arange(n) * 0.37 - 1.5).astype(dtype).reshape(shape)


def extremes(dtype):
    info = np.iinfo(dtype)
    values = [info.min, info.min + 1, -1, 0, 1, 2, info.max - 1, info.max] if info.min < 0 else \
        [0, 1, 2, info.max // 2, info.max - 1, info.max]
    return np.array(values, dtype=dtype)


dtypes = {"t_" + np.dtype(t).name: extremes(t) for t in
          (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)}
dtypes["t_bool"] = np.array([True, False, True, True])
dtypes["t_float16"] = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 2.0 ** -14, 2.0 ** -24, np.inf, -np.inf], dtype=np.float16)
dtypes["t_float32"] = ramp(np.float32, 3, 4)
dtypes["t_float64"] = ramp(np.float64, 2, 3, 4)
save_file(dtypes, "dtypes.safetensors")

written = {
    "b": ramp(np.float32, 3, 4),
    "a": ramp(np.float32, 2, 3, 4),
    "B": np.array([-(2 ** 62) - 3, -1, 0, 1, 2 ** 53 + 1], dtype=np.int64),
    "z": ramp(np.float64, 7),
    "\u00e9t\u00e9": ramp(np.float64, 2, 2),
    "scalar": np.array(3.25, dtype=np.float32),
    "empty": np.zeros((0, 5), dtype=np.float32),
}
save_file(written, "written_by_python.safetensors")
save_file(written, "written_by_python_meta.safetensors", metadata={"note": "quote \" backslash \\ newline \n tab \t \u0001 \u00e9"})
