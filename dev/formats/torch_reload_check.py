"""Checks saekit's exports with torch.load(weights_only=True); see torch-reload-check. Prints one line per file."""
import json
import pathlib
import struct
import sys

import numpy as np
import torch

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def safetensors(path):
    """The tensors of a safetensors file as numpy arrays (its format is a JSON header and raw little-endian data)."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    kinds = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4"}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + begin : 8 + n + end], kinds[t["dtype"]]).reshape(t["shape"])
    return out


def same_state_dicts(a, b, what):
    check(type(a) is type(b), f"{what}: root {type(b).__name__}")
    check(list(a) == list(b), f"{what}: keys {list(b)}")
    for k in a:
        ok = a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and torch.equal(a[k], b[k])
        check(ok, f"{what}: {k} {b[k].dtype} {list(b[k].shape)} equal")


def same_arrays(a, b, what):
    check(sorted(a) == sorted(b), f"{what}: names {sorted(b)}")
    for k in a:
        check(a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), f"{what}: {k} equal")


work = pathlib.Path(sys.argv[1])
for case in sorted(work.glob("golden-*")):
    exported, original = case / "exported", case / "original"
    if (original / "ae.pt").exists():
        a = torch.load(original / "ae.pt", weights_only=True)
        b = torch.load(exported / "ae.pt", weights_only=True)
        if "batch_topk" not in case.name:
            # saekit's TopK has no threshold (AutoEncoderTopK uses it only with use_threshold=True): written as -1
            check(b["threshold"].item() == -1.0, f"{case.name} ae.pt: TopK threshold written as -1")
            a["threshold"] = b["threshold"]
        same_state_dicts(a, b, f"{case.name} ae.pt")
    elif "matryoshka" in case.name:
        # rescale_acts_by_decoder_norm folded on import, so the export has unit-norm W_dec rows and rescale false
        a, b = safetensors(original / "sae_weights.safetensors"), safetensors(exported / "sae_weights.safetensors")
        norms = np.linalg.norm(a["W_dec"].astype(np.float64), axis=1)
        f32 = np.finfo(np.float32).eps
        check(np.allclose(b["W_dec"], a["W_dec"] / norms[:, None], rtol=4 * f32, atol=0), f"{case.name}: W_dec / norms")
        check(np.allclose(b["W_enc"], a["W_enc"] * norms, rtol=4 * f32, atol=0), f"{case.name}: W_enc * norms")
        check(np.allclose(b["b_enc"], a["b_enc"] * norms, rtol=4 * f32, atol=0), f"{case.name}: b_enc * norms")
        check(np.array_equal(b["b_dec"], a["b_dec"]), f"{case.name}: b_dec")
        check(b["topk_threshold"] == np.float32(a["topk_threshold"]), f"{case.name}: topk_threshold (float32 value)")
        cfg = json.loads((exported / "cfg.json").read_text())
        check(cfg["rescale_acts_by_decoder_norm"] is False and cfg["matryoshka_widths"] == [8, 24, 48], f"{case.name}: cfg")
    else:
        weights = next(p.name for p in original.glob("*.safetensors"))
        same_arrays(safetensors(original / weights), safetensors(exported / weights), f"{case.name} {weights}")
for case in sorted(work.glob("trained-*")):
    dl = torch.load(case / "dictionary-learning" / "ae.pt", weights_only=True)
    check(isinstance(dl, dict) and dl["k"].dtype == torch.int32 and dl["threshold"].dim() == 0, f"{case.name} ae.pt loads")
    lens = safetensors(case / "saelens" / "sae_weights.safetensors")
    pairs = {"encoder.weight": lens["W_enc"].T, "encoder.bias": lens["b_enc"], "decoder.weight": lens["W_dec"].T, "b_dec": lens["b_dec"]}
    for k, v in pairs.items():
        check(np.array_equal(dl[k].numpy(), v), f"{case.name}: ae.pt {k} equals the SAELens export's")
    if (case / "sparsify").exists():
        sp = safetensors(case / "sparsify" / "sae.safetensors")
        check(np.array_equal(sp["encoder.weight"], dl["encoder.weight"].numpy()), f"{case.name}: sparsify encoder.weight")
        check(np.array_equal(sp["W_dec"], dl["decoder.weight"].numpy().T), f"{case.name}: sparsify W_dec")
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
