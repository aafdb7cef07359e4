"""Randomness as a pure function of (seed, what, when).

The simulator must give the same reading for the same sensor and time whatever order it is
asked in (live, accelerated, replayed from the middle), so nothing keeps a random state
that advances: every draw hashes its coordinates.
"""

from __future__ import annotations

import hashlib
import math
import random
import struct


def unit(*parts: object) -> float:
    """A uniform number in [0, 1) fixed by `parts`."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return struct.unpack(">Q", digest)[0] / 2**64


def rng(*parts: object) -> random.Random:
    """A generator seeded by `parts` (for a handful of draws that belong together)."""
    return random.Random(int(unit(*parts) * 2**53))


def gauss(*parts: object) -> float:
    """A standard normal number fixed by `parts` (Box–Muller on two hashed uniforms)."""
    u1 = max(unit(*parts, "g1"), 1e-12)
    u2 = unit(*parts, "g2")
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)


def smooth(x: float, *parts: object) -> float:
    """Value noise in [-1, 1]: random at integer x, cosine-interpolated between them, so
    a weather anomaly drifts over days instead of jumping every reading."""
    i = math.floor(x)
    frac = x - i
    a = 2 * unit(*parts, i) - 1
    b = 2 * unit(*parts, i + 1) - 1
    w = (1 - math.cos(math.pi * frac)) / 2
    return a + (b - a) * w
