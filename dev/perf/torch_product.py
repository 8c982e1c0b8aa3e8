#!/usr/bin/env python3
"""Times PyTorch's x @ W.T with the encoder shapes of `saekit bench` (float32, 2 threads unless
--threads): the same dense product as saekit's `encoder_gemm_s`, for a side-by-side comparison of
the two BLAS libraries in the same minutes. Prints one JSON line."""
import argparse, json, time
import torch

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=1024)
p.add_argument("--input", type=int, default=768)
p.add_argument("--concepts", type=int, default=16384)
p.add_argument("--runs", type=int, default=10)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
x = torch.randn(a.batch, a.input)
w = torch.randn(a.concepts, a.input)
out = torch.empty(a.batch, a.concepts)
torch.matmul(x, w.T, out=out)
runs = []
for _ in range(a.runs):
    t0 = time.perf_counter()
    torch.matmul(x, w.T, out=out)
    runs.append(time.perf_counter() - t0)
s = sorted(runs)
med = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
flop = 2.0 * a.batch * a.input * a.concepts
print(json.dumps({
    "system": "torch " + torch.__version__,
    "blas": "mkl" if torch.backends.mkl.is_available() else "not mkl",
    "threads": torch.get_num_threads(),
    "runs_s": [round(r, 6) for r in runs],
    "median_s": round(med, 6),
    "gflops": round(flop / med / 1e9, 1),
}))
