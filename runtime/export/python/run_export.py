"""Run an exported model.py on saved weights and inputs and print its outputs as JSON.

    python3 run_export.py model.py weights.safetensors inputs.json [--numpy-torch]

inputs.json: {"inputs": {"x": {"dtype": "int"|"float", "shape": [...], "data": [...]}}, ...}
(targets among them are passed to loss()). With --numpy-torch it runs on the numpy stand-in
(numpy_torch.py) instead of PyTorch. Prints {"outputs": {name: {"shape", "data"}}, "losses": {...}}.
Weights are read with a small safetensors reader (F32 only), so the safetensors package is not needed.
"""
import importlib.util
import json
import struct
import sys
import os


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        count = (end - begin) // 4
        values = struct.unpack(f"<{count}f", raw[base + begin : base + end])
        out[name] = (info["shape"], values)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--numpy-torch" in sys.argv:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import numpy_torch

        numpy_torch.install()
    import torch

    model_path, weights_path, inputs_path = args
    spec = importlib.util.spec_from_file_location("exported_model", model_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = mod.Model()
    tensors = {k: torch.tensor(list(v)).reshape(*shape) if shape else torch.tensor(v[0]) for k, (shape, v) in read_safetensors(weights_path).items()}
    model.load_state_dict(tensors)
    keys = sorted(model.state_dict().keys())
    with open(inputs_path) as f:
        spec_in = json.load(f)["inputs"]

    def to_tensor(s):
        t = torch.tensor(s["data"], dtype=torch.int64 if s["dtype"] == "int" else torch.float32)
        return t.reshape(*s["shape"])

    def to_list(x):
        x = x.detach().cpu().numpy() if hasattr(x, "detach") else x
        return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}

    ins = [to_tensor(spec_in[k]) for k in mod.Model.INPUTS]
    outputs = model(*ins)
    result = {"state_dict_keys": keys, "outputs": {k: to_list(v) for k, v in outputs.items()}}
    if all(k in spec_in for k in mod.Model.TARGETS):
        losses = model.loss(outputs, *[to_tensor(spec_in[k]) for k in mod.Model.TARGETS])
        result["losses"] = {k: to_list(v) for k, v in losses.items()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
