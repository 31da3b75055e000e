#!/usr/bin/python3
"""The PyTorch side of bench/LabelHub.Bench.Learning: the image CNN's training step in Debian's python3-torch.

Run by the C# harness with /usr/bin/python3. It builds the same network as ConvNetwork.cs (x*2-1; 3x3 stride-2
convolutions 1->16 and 16->32 without bias, each with batch norm and ReLU; Linear(32*7*7 -> 128) + ReLU; dropout;
Linear(128 -> 10)), loads the initial weights the C# side saved (Classifier.Save: a header, then TorchSharp's
state-dict format), and reads the same batch (float32 pixels, then int64 labels, little-endian).

  timing  --warmup + --steps steps like Classifier.Train's with a one-batch epoch: shuffle the batch, forward with
          dropout 0.5 in train mode, cross-entropy, backward, Adam (lr, weight decay as L2), read the loss back;
          each step timed with time.perf_counter.
  check   with dropout 0 from the same weights: the loss before and after each of --check-steps Adam steps, to compare
          with the C# side's losses on the same weights and batch.

Prints one JSON object on stdout.
"""

import argparse
import json
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# TorchSharp's element type codes (torch.ScalarType) for what a state dict holds here.
DTYPES = {4: np.int64, 6: np.float32}


class ConvNetwork(nn.Module):
    def __init__(self, channels, side, classes, dropout):
        super().__init__()
        halved = (((side + 1) // 2) + 1) // 2
        self.conv1 = nn.Conv2d(channels, 16, 3, stride=2, padding=1, bias=False)
        self.norm1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(32)
        self.hidden = nn.Linear(32 * halved * halved, 128)
        self.output = nn.Linear(128, classes)
        self.dropout = dropout

    def forward(self, x):
        x = x * 2 - 1
        x = F.relu(self.norm1(self.conv1(x)))
        x = F.relu(self.norm2(self.conv2(x)))
        x = F.relu(self.hidden(x.flatten(1)))
        return self.output(F.dropout(x, self.dropout, self.training))


def varint(stream):
    """An unsigned LEB128 number: .NET BinaryWriter's string lengths and TorchSharp's counts and sizes."""
    result, shift = 0, 0
    while True:
        byte = stream.read(1)[0]
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result
        shift += 7


def dotnet_string(stream):
    return stream.read(varint(stream)).decode("utf-8")


def read_classifier(path):
    with open(path, "rb") as stream:
        magic = dotnet_string(stream)
        if magic != "LabelHub.Classifier":
            raise ValueError(f"{path} is not a saved LabelHub classifier")
        (version,) = struct.unpack("<i", stream.read(4))
        architecture = dotnet_string(stream)
        state = {}
        for _ in range(varint(stream)):
            name = dotnet_string(stream)
            dtype = DTYPES[varint(stream)]
            shape = tuple(varint(stream) for _ in range(varint(stream)))
            count = int(np.prod(shape)) if shape else 1
            data = np.frombuffer(stream.read(count * np.dtype(dtype).itemsize), dtype=dtype).reshape(shape)
            state[name] = torch.from_numpy(data.copy())
        return version, architecture, state


def step(model, optimizer, x, y, generator):
    order = torch.randperm(x.shape[0], generator=generator)
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x[order]), y[order])
    loss.backward()
    optimizer.step()
    return loss.item()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", required=True)
    parser.add_argument("--batch", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--side", type=int, default=28)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--check-steps", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    pixels = args.count * args.channels * args.side * args.side
    raw = np.fromfile(args.batch, dtype=np.uint8)
    x = torch.from_numpy(raw[: pixels * 4].view(np.float32).copy()).reshape(args.count, args.channels, args.side, args.side)
    y = torch.from_numpy(raw[pixels * 4:].view(np.int64).copy())
    version, architecture, state = read_classifier(args.weights)

    def model_from_weights(dropout):
        model = ConvNetwork(args.channels, args.side, args.classes, dropout)
        model.load_state_dict(state)
        model.train()
        return model, torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)

    model, optimizer = model_from_weights(0.0)
    generator = torch.Generator().manual_seed(0)
    check = [step(model, optimizer, x, y, generator) for _ in range(args.check_steps + 1)]

    model, optimizer = model_from_weights(args.dropout)
    for _ in range(args.warmup):
        step(model, optimizer, x, y, generator)
    step_ms = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step(model, optimizer, x, y, generator)
        step_ms.append((time.perf_counter() - start) * 1000)

    json.dump({
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "file_format": version,
        "architecture": architecture,
        "step_ms": step_ms,
        "check_losses": check,
    }, sys.stdout)


if __name__ == "__main__":
    main()
