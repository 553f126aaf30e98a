/**
 * `train.py`, written beside an exported `model.py`: trains the model on the files of
 * `unroll export-data` under `torchrun` with DistributedDataParallel (one process per GPU, or
 * several CPU processes with gloo). Each batch is split into groups of examples of one length, so
 * the model, which has no padding masks, sees exactly the real steps of every example; the loss
 * is the graph's (model.loss), averaged over the batch as Unroll does.
 */
import type { GraphAnalysis } from '../validate/types.ts';
import { pyFloat } from './names.ts';
import { lrSchedule } from '../train/lr-schedule.ts';
import { TRAINING_DEFAULTS } from '../train/training-defaults.ts';

export function trainScript(a: GraphAnalysis): string {
  const t = a.doc.training ?? {};
  const lr = typeof t.lr === 'number' ? t.lr : 0.001;
  const clip = typeof t.clip === 'number' ? t.clip : 0;
  const optimizer = t.optimizer ?? 'adam';
  const decayStart = t.lrDecayStart ?? TRAINING_DEFAULTS.lrDecayStart;
  const decayEnd = t.lrDecayEnd ?? TRAINING_DEFAULTS.lrDecayEnd;
  const decayFactor = t.lrDecayFactor ?? TRAINING_DEFAULTS.lrDecayFactor;
  const decay = lrSchedule(t);
  const opt =
    optimizer === 'sgd'
      ? `torch.optim.SGD(model.parameters(), lr=args.lr)`
      : optimizer === 'momentum'
        ? `torch.optim.SGD(model.parameters(), lr=args.lr, momentum=${pyFloat(typeof t.momentum === 'number' ? t.momentum : 0.9)})`
        : `torch.optim.Adam(model.parameters(), lr=args.lr, betas=(${pyFloat(typeof t.beta1 === 'number' ? t.beta1 : 0.9)}, ${pyFloat(typeof t.beta2 === 'number' ? t.beta2 : 0.999)}))`;
  return `"""Train the exported model (model.py) on data from \`unroll export-data\`, with DistributedDataParallel.

    unroll export-data G --out data/          # data/train.safetensors, data/<split>.safetensors
    torchrun --nproc_per_node=2 train.py data/ [--init weights.safetensors] [--out trained.safetensors]

Graph: ${a.doc.name.replace(/\\/g, '\\\\').replace(/"""/g, "'''")}
Settings from the graph's training section: ${optimizer}, lr ${pyFloat(lr)}, clip ${pyFloat(clip)} (global norm, 0 off)${
    decay === undefined ? '' : `,\nlr decaying linearly to ${pyFloat(decay.factor)} × lr over optimiser steps ${decay.start}–${decay.end}`
  }.
Each rank takes every world_size-th batch; DDP averages the gradients. The weights saved are
Unroll's (safetensors, <node>.<weight>): \`unroll eval G --weights trained.safetensors ...\` reads them.
"""
import argparse
import json
import os
import struct

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from model import Model


def read_safetensors(path):
    """name -> float32 tensor, and the metadata (a small reader, so the safetensors package is optional)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        data = torch.frombuffer(bytearray(raw[8 + n + begin : 8 + n + end]), dtype=torch.float32)
        out[name] = data.reshape(info["shape"])
    return out, meta


def save_safetensors(tensors, path):
    names = sorted(tensors)
    header, offset, blobs = {}, 0, []
    for name in names:
        t = tensors[name].detach().to(torch.float32).contiguous().cpu()
        blob = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def batches(path):
    tensors, meta = read_safetensors(path)
    for k in range(int(meta["batches"])):
        yield {name[len(f"batch{k}.") :]: t for name, t in tensors.items() if name.startswith(f"batch{k}.")}


class Objective(torch.nn.Module):
    """The graph's loss for one batch, mean over the batch, as one forward (what DDP wraps).

    Examples of one length run together, so the model (which has no padding masks) sees exactly
    the real steps of each example."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, batch):
        size = next(iter(batch.values())).shape[0]
        lengths = batch.get("lengths")
        groups = [None] if lengths is None else sorted(set(int(v) for v in lengths.tolist()))
        total = 0.0
        for length in groups:
            rows = slice(None) if length is None else (lengths == length).nonzero().flatten()

            def pick(name):
                t = batch[name][rows]
                if length is not None and name in SEQUENCE_SOURCES:
                    t = t[:, :length]
                return t.long() if name in TOKEN_SOURCES else t

            outputs = self.model(*[pick(s) for s in Model.INPUTS])
            losses = self.model.loss(outputs, *[pick(s) for s in Model.TARGETS])
            total = total + sum(l.sum() for l in losses.values())
        return total / size


def lr_factor(step, start, end, factor):
    """The multiplier of the learning rate at optimiser step \`step\` (1-based), as Unroll's
    training.lrDecayStart/lrDecayEnd/lrDecayFactor: 1 up to \`start\`, falling linearly to \`factor\`
    at \`end\`, \`factor\` after; no decay unless end > start."""
    if end <= start or step <= start:
        return 1.0
    if step >= end:
        return factor
    return 1.0 - (1.0 - factor) * ((step - start) / (end - start))


def to_device(batch, device):
    return {k: v.to(device) for k, v in batch.items()}


TOKEN_SOURCES = {${a.doc.nodes
    .filter((n) => (n.type === 'input' || n.type === 'target') && a.outputTypes.get(`${n.id}.out`)?.dtype === 'int')
    .map((n) => JSON.stringify(n.id))
    .join(', ')}}
SEQUENCE_SOURCES = {${a.doc.nodes
    .filter((n) => (n.type === 'input' || n.type === 'target') && a.outputTypes.get(`${n.id}.out`)?.seq !== undefined)
    .map((n) => JSON.stringify(n.id))
    .join(', ')}}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", help="folder written by unroll export-data")
    p.add_argument("--init", help="start from these weights (Unroll safetensors)")
    p.add_argument("--out", default="trained.safetensors")
    p.add_argument("--lr", type=float, default=${pyFloat(lr)})
    p.add_argument("--clip", type=float, default=${pyFloat(clip)})
    p.add_argument("--lr-decay-start", type=int, default=${decayStart}, help="optimiser step after which the lr falls linearly")
    p.add_argument("--lr-decay-end", type=int, default=${decayEnd}, help="optimiser step at which it reaches lr × factor (no decay unless > start)")
    p.add_argument("--lr-decay-factor", type=float, default=${pyFloat(decayFactor)}, help="final lr as a fraction of --lr")
    args = p.parse_args()

    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available() else "cpu")

    torch.manual_seed(0)
    model = Model()
    if args.init:
        model.load_state_dict(read_safetensors(args.init)[0])
    model.to(device)
    objective = Objective(model)
    net = DDP(objective) if distributed else objective
    opt = ${opt}
    # Step s (1-based) trains with lr × lr_factor(s): LambdaLR passes the number of scheduler steps taken (s − 1).
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda done: lr_factor(done + 1, args.lr_decay_start, args.lr_decay_end, args.lr_decay_factor)
    )

    train = list(batches(os.path.join(args.data, "train.safetensors")))
    # Every rank takes the same number of batches (DDP steps in lockstep): every world-th one.
    for step in range(rank, len(train) - len(train) % world, world):
        opt.zero_grad()
        loss = net(to_device(train[step], device))
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        schedule.step()
        if rank == 0 and step % 100 == 0:
            print(json.dumps({"step": step, "loss": float(loss)}), flush=True)

    if rank == 0:
        model.eval()
        with torch.no_grad():
            for name in sorted(os.listdir(args.data)):
                if name.endswith(".safetensors") and name != "train.safetensors":
                    losses = [float(objective(to_device(b, device))) for b in batches(os.path.join(args.data, name))]
                    print(json.dumps({"split": name[: -len(".safetensors")], "loss": sum(losses) / max(1, len(losses))}), flush=True)
        save_safetensors(model.state_dict(), args.out)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
}
