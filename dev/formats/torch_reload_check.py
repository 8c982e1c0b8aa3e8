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


def tensor(t):
    return torch.tensor(t["data"], dtype=torch.float64).reshape(t["shape"]).float()


def crosscoder_forward(sd, expected, what):
    """The fork's forward (expected.json's forward_maths) on the exported state dict, against the fork's own outputs."""
    x = tensor(expected["x"])
    normalised = not torch.isnan(sd["activation_mean"]).any() and not torch.isnan(sd["activation_std"]).any()
    g = sd["activation_global_scale"]
    xn = (x - sd["activation_mean"]) * g[None, :, None] if normalised else x
    post = torch.relu(torch.einsum("bld,ldf->bf", xn, sd["encoder.weight"]) + sd["encoder.bias"])
    norm = sd["decoder.weight"].norm(dim=2).sum(dim=0)
    f = post * (post * norm > sd["threshold"]) if "threshold" in sd else post
    y = torch.einsum("bf,lfd->bld", f, sd["decoder.weight"]) + sd["decoder.bias"]
    x_hat = y / (g[None, :, None] + 1e-8) + sd["activation_mean"] if normalised else y
    want_f, want_x = tensor(expected["f"]), tensor(expected["x_hat"])
    check(torch.equal(f != 0, want_f != 0), f"{what}: the fork's forward on the export keeps the fork's codes")
    check(torch.allclose(f, want_f, rtol=0, atol=1e-5) and torch.allclose(x_hat, want_x, rtol=0, atol=1e-5),
          f"{what}: the fork's forward on the export gives the fork's f and x_hat (within 1e-5)")


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
    elif (original / "model_final.pt").exists():
        a = torch.load(original / "model_final.pt", weights_only=True)
        b = torch.load(exported / "model_final.pt", weights_only=True)
        check(type(b).__name__ == "OrderedDict" and getattr(b, "_metadata", None) == getattr(a, "_metadata", None),
              f"{case.name} model_final.pt: an OrderedDict with the fork's _metadata")
        check(list(a) == list(b), f"{case.name} model_final.pt: keys {list(b)}")
        for k in a:
            ok = a[k].dtype == b[k].dtype and a[k].shape == b[k].shape
            ok = ok and torch.equal(torch.nan_to_num(a[k], nan=12345.0), torch.nan_to_num(b[k], nan=12345.0))
            check(ok, f"{case.name} model_final.pt: {k} {b[k].dtype} {list(b[k].shape)} equal (NaN for NaN)")
        crosscoder_forward(b, json.loads((original / "expected.json").read_text()), case.name)
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
        a, b = safetensors(original / weights), safetensors(exported / weights)
        if "threshold" in a and "jumprelu" in case.name:
            # saekit keeps ln(threshold): exported as exp(ln(threshold)), within float32 rounding
            f32 = np.finfo(np.float32).eps
            check(np.allclose(b["threshold"], a["threshold"], rtol=3 * f32, atol=0), f"{case.name}: threshold")
            a["threshold"] = b["threshold"]
        same_arrays(a, b, f"{case.name} {weights}")
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
