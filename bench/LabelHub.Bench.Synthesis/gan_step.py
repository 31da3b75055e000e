#!/usr/bin/python3
"""The PyTorch side of bench/LabelHub.Bench.Synthesis: the conditional DCGAN training step in Debian's python3-torch.

Run by the C# harness with /usr/bin/python3. It builds the same networks as src/LabelHub.Workers/Synthesis/GanNetworks.cs
for 28 x 28 images (generator: z + 32-wide class embedding -> ConvTranspose k7 to 7x7 x W, BN, ReLU -> ConvTranspose k4 s2
to 14x14 x W/2, BN, ReLU -> ConvTranspose k4 s2 to 28x28 x C, Tanh; discriminator: image + class map (embedding -> 28x28)
-> Conv k4 s2 to W/2, LeakyReLU 0.2 -> Conv k4 s2 to W, BN, LeakyReLU -> Conv k7 to one logit; no biases), loads the
initial weights the C# side saved (ConditionalGan.SaveState: a header, then TorchSharp's state-dict format for G and D),
and reads the same batch (float32 pixels in [0, 1], then int64 labels, little-endian).

Each step is ConditionalGan.TrainEpoch's on a one-batch epoch: shuffle, scale to [-1, 1], noise, the discriminator step
(BCE with logits, real -> 1, fake -> 0, Adam lr 2e-4, betas 0.5/0.999), the generator step (fake -> 1), the four figures
read back in one tensor. Each step timed with time.perf_counter. Prints one JSON object on stdout, with D's mean score on
the real batch at the first step, which depends only on the weights and the batch: equal on both sides when the
architectures and the weights agree.
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
EMBEDDING = 32


class Generator(nn.Module):
    def __init__(self, latent, classes, channels, width):
        super().__init__()
        self.label = nn.Embedding(classes, EMBEDDING)
        self.up = nn.ModuleList([
            nn.ConvTranspose2d(latent + EMBEDDING, width, 7, 1, 0, bias=False),
            nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False),
            nn.ConvTranspose2d(width // 2, channels, 4, 2, 1, bias=False),
        ])
        self.norms = nn.ModuleList([nn.BatchNorm2d(width), nn.BatchNorm2d(width // 2)])

    def forward(self, z, labels):
        x = torch.cat([z, self.label(labels)], 1)[:, :, None, None]
        for up, norm in zip(self.up, self.norms):
            x = F.relu(norm(up(x)))
        return torch.tanh(self.up[-1](x))


class Discriminator(nn.Module):
    def __init__(self, classes, channels, width, side):
        super().__init__()
        self.side = side
        self.label = nn.Embedding(classes, side * side)
        self.down = nn.ModuleList([
            nn.Conv2d(channels + 1, width // 2, 4, 2, 1, bias=False),
            nn.Conv2d(width // 2, width, 4, 2, 1, bias=False),
            nn.Conv2d(width, 1, 7, 1, 0, bias=False),
        ])
        self.norms = nn.ModuleList([nn.BatchNorm2d(width)])

    def forward(self, images, labels):
        label_map = self.label(labels).view(-1, 1, self.side, self.side)
        x = F.leaky_relu(self.down[0](torch.cat([images, label_map], 1)), 0.2)
        x = F.leaky_relu(self.norms[0](self.down[1](x)), 0.2)
        return self.down[2](x).view(-1)


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


def state_dict(stream):
    state = {}
    for _ in range(varint(stream)):
        name = dotnet_string(stream)
        dtype = DTYPES[varint(stream)]
        shape = tuple(varint(stream) for _ in range(varint(stream)))
        count = int(np.prod(shape)) if shape else 1
        data = np.frombuffer(stream.read(count * np.dtype(dtype).itemsize), dtype=dtype).reshape(shape)
        state[name] = torch.from_numpy(data.copy())
    return state


def read_state(path):
    with open(path, "rb") as stream:
        magic = dotnet_string(stream)
        if magic != "LabelHub.GanState":
            raise ValueError(f"{path} is not a saved LabelHub GAN state")
        (version,) = struct.unpack("<i", stream.read(4))
        architecture = dotnet_string(stream)
        (epochs,) = struct.unpack("<i", stream.read(4))
        options = dotnet_string(stream)
        return architecture, options, state_dict(stream), state_dict(stream)


def step(g, d, g_opt, d_opt, x, y, latent, generator):
    order = torch.randperm(x.shape[0], generator=generator)
    real, labels = x[order] * 2 - 1, y[order]
    count = real.shape[0]
    z = torch.randn(count, latent, generator=generator)
    ones, zeros = torch.ones(count), torch.zeros(count)
    d_opt.zero_grad()
    real_logits = d(real, labels)
    fake = g(z, labels)
    fake_logits = d(fake.detach(), labels)
    d_loss = F.binary_cross_entropy_with_logits(real_logits, ones) + F.binary_cross_entropy_with_logits(fake_logits, zeros)
    d_loss.backward()
    d_opt.step()
    g_opt.zero_grad()
    g_loss = F.binary_cross_entropy_with_logits(d(fake, labels), ones)
    g_loss.backward()
    g_opt.step()
    return torch.stack([d_loss.detach(), g_loss.detach(), real_logits.detach().sigmoid().mean(), fake_logits.detach().sigmoid().mean()]).tolist()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", required=True)
    parser.add_argument("--batch", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--latent", type=int, default=100)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    side, channels = 28, 1
    pixels = args.count * channels * side * side
    raw = np.fromfile(args.batch, dtype=np.uint8)
    x = torch.from_numpy(raw[: pixels * 4].view(np.float32).copy()).reshape(args.count, channels, side, side)
    y = torch.from_numpy(raw[pixels * 4:].view(np.int64).copy())
    architecture, options, g_state, d_state = read_state(args.state)

    g = Generator(args.latent, args.classes, channels, args.width)
    d = Discriminator(args.classes, channels, args.width, side)
    g.load_state_dict(g_state)
    d.load_state_dict(d_state)
    g.train()
    d.train()
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    generator = torch.Generator().manual_seed(0)

    first = step(g, d, g_opt, d_opt, x, y, args.latent, generator)
    for _ in range(args.warmup):
        step(g, d, g_opt, d_opt, x, y, args.latent, generator)
    step_ms = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step(g, d, g_opt, d_opt, x, y, args.latent, generator)
        step_ms.append((time.perf_counter() - start) * 1000)

    json.dump({
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "architecture": architecture,
        "first_real_score": first[2],
        "first_losses": first[:2],
        "step_ms": step_ms,
    }, sys.stdout)


if __name__ == "__main__":
    main()
