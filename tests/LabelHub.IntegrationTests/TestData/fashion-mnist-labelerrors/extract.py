"""Writes the Fashion-MNIST subset the label-error tests import (the two files beside this script).

Source: Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist),
/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (Xiao, Rasul and
Vollgraf 2017, MIT licence). The first 3,000 test images in order, leaving out any image whose pixels equal an
earlier one's (the app imports one copy of identical images), as gzipped IDX files: images.idx3-ubyte.gz
(3,000 × 28 × 28 bytes) and labels.idx1-ubyte.gz. Standard library only: /usr/bin/python3 extract.py
"""
import gzip
import struct

ROOT = "/usr/share/datasets/fashion-mnist/"
COUNT = 3000

with gzip.open(ROOT + "t10k-images-idx3-ubyte.gz") as f:
    _, count, rows, cols = struct.unpack(">IIII", f.read(16))
    pixels = f.read()
with gzip.open(ROOT + "t10k-labels-idx1-ubyte.gz") as f:
    f.read(8)
    labels = f.read()

size = rows * cols
seen = set()
images, kept = [], []
for index in range(count):
    image = pixels[index * size:(index + 1) * size]
    if image in seen:
        continue
    seen.add(image)
    images.append(image)
    kept.append(labels[index])
    if len(images) == COUNT:
        break

# mtime=0: the same input always gives the same bytes.
with open("images.idx3-ubyte.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
    out.write(struct.pack(">IIII", 0x803, len(images), rows, cols) + b"".join(images))
with open("labels.idx1-ubyte.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
    out.write(struct.pack(">II", 0x801, len(kept)) + bytes(kept))
