#!/usr/bin/env bash
# Runs the PyTorch export of each checked example in real PyTorch and compares its outputs and
# losses with Unroll's (max abs error 1e-5). Without PyTorch it says so and checks nothing (exit 0);
# the unit tests run the same check on a numpy stand-in for torch (npx tsx scripts/check-pytorch-export.ts --numpy-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v python3 >/dev/null 2>&1; then
  echo "check-pytorch-export: python3 is missing: nothing was checked"
  exit 0
fi
if ! python3 -c 'import torch' >/dev/null 2>&1; then
  echo "check-pytorch-export: PyTorch is not installed (python3 -c 'import torch' fails): nothing was checked"
  exit 0
fi
python3 -c 'import torch; print("check-pytorch-export: PyTorch", torch.__version__)'
exec npx tsx scripts/check-pytorch-export.ts
