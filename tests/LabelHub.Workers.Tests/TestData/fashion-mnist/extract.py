"""Writes a few Fashion-MNIST test images as 8-bit grayscale PNGs (the source of the files beside this script).

Source: Debian's dataset-fashion-mnist, /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz and
t10k-labels-idx1-ubyte.gz (Xiao, Rasul and Vollgraf 2017, MIT licence). For each class the first two test images
of that class, named <class>-<index in the test set>.png. Standard library only: /usr/bin/python3 extract.py
"""
import gzip
import struct
import zlib

ROOT = "/usr/share/datasets/fashion-mnist/"
CLASSES = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]

with gzip.open(ROOT + "t10k-images-idx3-ubyte.gz") as f:
    _, count, rows, cols = struct.unpack(">IIII", f.read(16))
    pixels = f.read()
with gzip.open(ROOT + "t10k-labels-idx1-ubyte.gz") as f:
    f.read(8)
    labels = f.read()


def png(width, height, gray):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + gray[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


taken = {c: 0 for c in range(10)}
for index in range(count):
    label = labels[index]
    if taken[label] < 2:
        taken[label] += 1
        image = pixels[index * rows * cols:(index + 1) * rows * cols]
        with open(f"{CLASSES[label]}-{index}.png", "wb") as out:
            out.write(png(cols, rows, image))
    if all(v == 2 for v in taken.values()):
        break
