#!/usr/bin/env python3
"""The .npy files numpy.save writes for the three kinds of array a harvest writes: a float32
matrix (a tap's shard), an int64 vector (doc_ids) and an int32 vector (positions, token_ids).
NpyAppenderTest checks that saekit writes the same bytes. Run here: python3 make_npy_fixtures.py"""
import numpy as np

np.save("float32-2x3.npy", np.array([[1.5, -2.0, 0.25], [3.0, 1e-8, -0.0]], dtype="<f4"))
np.save("int64-3.npy", np.array([0, 7, 123456789012], dtype="<i8"))
np.save("int32-4.npy", np.array([101, -1, 0, 2147483647], dtype="<i4"))
