"""Writes perceptual-hash-vectors.json: reference values for the perceptual hashes, computed with numpy only.

Run from this folder: /usr/bin/python3 perceptual-hash-vectors.py  (numpy 1.x or 2.x; no scipy needed).

- dct: the unnormalised 2-D DCT-II (scipy.fftpack.dct(dct(x, axis=0), axis=1), norm=None) of a seeded 8 x 8 and
  32 x 32 block, computed through numpy's FFT (Makhoul 1980: reorder, FFT, rotate by a quarter-sample phase) and
  checked here against the textbook cosine sum.
- phash: imagehash.phash's steps on a 32 x 32 input (no resize needed): DCT, top-left 8 x 8, bits = coefficient >
  median of the 64 (imagehash includes the DC term); the row-major bits as a 16-digit hex string like imagehash's.
- dhash: Krawetz's dHash on a 9 x 8 input: bit = left pixel > right neighbour, row-major, hex.
"""
import json
import numpy as np


def dct_fft(x):
    # DCT-II along the last axis via FFT (Makhoul), scaled like scipy's norm=None: y_k = 2 sum x_n cos(pi k (2n+1) / 2N).
    n = x.shape[-1]
    v = np.concatenate([x[..., ::2], x[..., 1::2][..., ::-1]], axis=-1)
    V = np.fft.fft(v, axis=-1)
    k = np.arange(n)
    return 2 * np.real(V * np.exp(-1j * np.pi * k / (2 * n)))


def dct2_fft(x):
    return dct_fft(dct_fft(x).T).T


def dct2_direct(x):
    n = x.shape[0]
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    c = 2 * np.cos(np.pi * k * (2 * i + 1) / (2 * n))
    return c @ x @ c.T


def bits_hex(bits):
    value = 0
    for b in bits.flatten():
        value = (value << 1) | int(bool(b))
    return format(value, "016x")


rng = np.random.default_rng(20261205)
vectors = []
for side in (8, 32):
    x = rng.integers(0, 256, size=(side, side)).astype(np.float64)
    fast = dct2_fft(x)
    assert np.allclose(fast, dct2_direct(x), rtol=0, atol=1e-7), "FFT and direct DCT disagree"
    vectors.append({"id": f"dct-{side}", "kind": "dct", "side": side, "input": x.astype(int).flatten().tolist(),
                    "output": [float(f"{v:.9g}") for v in fast.flatten()]})

# pHash inputs: a seeded random image and a smooth one (a diagonal gradient with a bright disc).
yy, xx = np.mgrid[0:32, 0:32]
smooth = np.clip(4 * xx + 2 * yy + 120 * (((xx - 20) ** 2 + (yy - 12) ** 2) < 36), 0, 255)
for name, img in (("random", rng.integers(0, 256, size=(32, 32))), ("gradient-disc", smooth)):
    img = img.astype(np.float64)
    low = dct2_fft(img)[:8, :8]
    with_dc = bits_hex(low > np.median(low))
    without_dc = bits_hex(low > np.median(low.flatten()[1:]))
    vectors.append({"id": f"phash-{name}", "kind": "phash", "width": 32, "height": 32,
                    "input": img.astype(int).flatten().tolist(),
                    "imagehash_median_with_dc": with_dc, "median_without_dc": without_dc,
                    "dc_is_largest": bool(low[0, 0] == low.max())})

for name, img in (("random", rng.integers(0, 256, size=(8, 9))),):
    img = img.astype(np.float64)
    vectors.append({"id": f"dhash-{name}", "kind": "dhash", "width": 9, "height": 8, "input": img.astype(int).flatten().tolist(),
                    "left_brighter": bits_hex(img[:, :-1] > img[:, 1:])})

with open("perceptual-hash-vectors.json", "w") as f:
    json.dump(vectors, f, indent=1)
    f.write("\n")
print("wrote", len(vectors), "vectors")
