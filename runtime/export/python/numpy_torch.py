"""A stand-in for the few torch functions Unroll's generated model.py calls, on numpy (float32).

The tests run exported PyTorch files with it where PyTorch is not installed, so that the generated
code's arithmetic is checked against Unroll's numbers, not only its syntax. It covers exactly what
runtime/export/py-ops.ts, py-loss.ts and pytorch.ts write; anything else fails loudly. It checks
the generated code, not PyTorch: scripts/check-pytorch-export.sh runs the real thing.

    import numpy_torch; numpy_torch.install()   # then `import torch` gives this module
"""
import sys
import types

import numpy as np

float32 = np.float32
int64 = np.int64


def _f32(x):
    return np.asarray(x, dtype=np.float32)


def tensor(data, dtype=None):
    a = np.array(data)
    if dtype is not None:
        return a.astype(dtype)
    return a.astype(np.int64) if a.dtype.kind in "iub" else a.astype(np.float32)


def zeros(*shape):
    return np.zeros(shape, dtype=np.float32)


def full(shape, value):
    return np.full(shape, value, dtype=np.float32)


def rand(*shape):
    return np.random.default_rng(0).random(shape, dtype=np.float32)


def randn(*shape):
    return np.random.default_rng(0).standard_normal(shape, dtype=np.float32)


def tanh(x):
    return np.tanh(x)


def sigmoid(x):
    return _f32(1 / (1 + np.exp(-x)))


def relu(x):
    return np.maximum(x, np.float32(0))


def exp(x):
    return np.exp(x)


def log(x):
    return np.log(x)


def softmax(x, dim):
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def log_softmax(x, dim):
    m = np.max(x, axis=dim, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True))


def cat(xs, dim):
    return np.concatenate(xs, axis=dim)


def stack(xs, dim):
    return np.stack(xs, axis=dim)


def sum(x, dim=None):  # noqa: A001 - torch's name
    return np.sum(x, axis=dim)


def mean(x, dim=None):
    return np.mean(x, axis=dim)


def einsum(eq, *xs):
    return np.einsum(eq, *xs)


class _Functional(types.ModuleType):
    @staticmethod
    def cross_entropy(logits, target, reduction="mean"):
        assert reduction == "none"
        lp = log_softmax(logits, -1)
        return -lp[np.arange(lp.shape[0]), target]

    @staticmethod
    def binary_cross_entropy_with_logits(x, t, reduction="mean"):
        assert reduction == "none"
        return np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))


class Module:
    """nn.Module's registration and state-dict rules, as far as the generated files use them."""

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_save_hooks", [])
        object.__setattr__(self, "_load_hooks", [])
        self.training = True

    def __getattr__(self, name):
        for table in ("_parameters", "_modules"):
            d = self.__dict__.get(table, {})
            if name in d:
                return d[name]
        raise AttributeError(name)

    def register_parameter(self, name, value):
        if "." in name or name == "":
            raise KeyError(name)
        self._parameters[name] = value

    def add_module(self, name, module):
        if "." in name or name == "" or (hasattr(self, name) and name not in self._modules):
            raise KeyError(f'attribute "{name}" already exists or is not a module name')
        self._modules[name] = module

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def _register_state_dict_hook(self, hook):
        self._save_hooks.append(hook)

    def _register_load_state_dict_pre_hook(self, hook):
        self._load_hooks.append(hook)

    def _collect(self, out, prefix):
        for k, v in self._parameters.items():
            out[prefix + k] = v
        for k, m in self._modules.items():
            m._collect(out, prefix + k + ".")

    def state_dict(self):
        out = {}
        self._collect(out, "")
        for h in self._save_hooks:
            out = h(self, out, "", {}) or out
        return out

    def load_state_dict(self, state_dict, strict=True):
        sd = dict(state_dict)
        for h in self._load_hooks:
            h(sd, "", {}, strict, [], [], [])
        own = {}
        self._collect(own, "")
        missing = sorted(set(own) - set(sd))
        unexpected = sorted(set(sd) - set(own))
        if strict and (missing or unexpected):
            raise RuntimeError(f"missing keys {missing}, unexpected keys {unexpected}")
        for k, p in own.items():
            v = np.asarray(sd[k], dtype=np.float32)
            if v.shape != p.shape:
                raise RuntimeError(f"size mismatch for {k}: {v.shape} vs {p.shape}")
            p[...] = v


def Parameter(x):  # noqa: N802 - torch's name
    return _f32(x).copy()


def install():
    """Make `import torch`, `torch.nn` and `torch.nn.functional` resolve to this stand-in."""
    me = sys.modules[__name__]
    nn = types.ModuleType("torch.nn")
    nn.Module = Module
    nn.Parameter = Parameter
    functional = _Functional("torch.nn.functional")
    nn.functional = functional
    me.nn = nn
    sys.modules["torch"] = me
    sys.modules["torch.nn"] = nn
    sys.modules["torch.nn.functional"] = functional
