"""Modbus register maps: where a transmitter keeps each quantity, and the built-in profiles.

Shared by the gateway (which decodes) and the simulator (which encodes), so both sides read
the same map. A map is one block read (function 03 or 04) covering all its fields.

Built-in profiles (the cheap RS-485 transmitters Chinese facilities install):
    th   function 03; reg 0 = RH × 10 (u16), reg 1 = temperature × 10 (s16)
    lux  function 03; regs 0-1 = illuminance in lux (u32, high word first)
    uv   function 03; regs 0-1 = illuminance in lux (u32, high word first),
         reg 2 = UV relative to light in µW/lm × 10 (u16)
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from .limits import Strict

QuantityName = Literal["temperature", "humidity", "illuminance", "uv", "battery"]
RegisterType = Literal["u16", "s16", "u32", "s32"]

_WIDTH = {"u16": 1, "s16": 1, "u32": 2, "s32": 2}
_SIGNED = {"u16": False, "s16": True, "u32": False, "s32": True}


class RegisterField(Strict):
    """value = raw × scale, raw read from `address` (and `address`+1 for 32-bit types)."""

    quantity: QuantityName
    address: int = Field(ge=0, le=65535, description="register address (0-based)")
    type: RegisterType = Field("u16", description="u16, s16, or u32/s32 across two registers")
    scale: float = Field(1.0, description="value = raw × scale, e.g. 0.1 for tenths")
    word_order: Literal["big", "little"] = Field(
        "big", description="32-bit types: big = high word at the lower address"
    )

    @property
    def width(self) -> int:
        return _WIDTH[self.type]

    def decode(self, registers: list[int], start: int) -> float:
        words = registers[self.address - start: self.address - start + self.width]
        if self.width == 2 and self.word_order == "little":
            words = words[::-1]
        raw = 0
        for word in words:
            raw = (raw << 16) | (word & 0xFFFF)
        bits = 16 * self.width
        if _SIGNED[self.type] and raw >= 1 << (bits - 1):
            raw -= 1 << bits
        return round(raw * self.scale, 9)  # no float artefacts like -5.2000000000000002

    def encode(self, value: float) -> list[int]:
        """The registers a transmitter would hold for `value` (clamped to the type's range)."""
        bits = 16 * self.width
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if _SIGNED[self.type] else (
            0, (1 << bits) - 1)
        raw = int(max(lo, min(hi, math.floor(value / self.scale + 0.5))))
        raw &= (1 << bits) - 1
        words = [(raw >> 16) & 0xFFFF, raw & 0xFFFF] if self.width == 2 else [raw]
        return words[::-1] if self.width == 2 and self.word_order == "little" else words


class RegisterMap(Strict):
    function: Literal[3, 4] = Field(3, description="3 = holding registers, 4 = input registers")
    fields: list[RegisterField] = Field(min_length=1)

    @model_validator(mode="after")
    def _compact(self) -> RegisterMap:
        if self.count > 125:
            raise ValueError("fields must lie within 125 registers (one Modbus read)")
        return self

    @property
    def start(self) -> int:
        return min(f.address for f in self.fields)

    @property
    def count(self) -> int:
        return max(f.address + f.width for f in self.fields) - self.start

    def decode(self, registers: list[int]) -> dict[str, float]:
        return {f.quantity: f.decode(registers, self.start) for f in self.fields}

    def encode(self, values: dict[str, float]) -> list[int]:
        regs = [0] * self.count
        for f in self.fields:
            if f.quantity in values:
                at = f.address - self.start
                regs[at: at + f.width] = f.encode(values[f.quantity])
        return regs


PROFILES: dict[str, RegisterMap] = {
    "th": RegisterMap(fields=[
        RegisterField(quantity="humidity", address=0, type="u16", scale=0.1),
        RegisterField(quantity="temperature", address=1, type="s16", scale=0.1),
    ]),
    "lux": RegisterMap(fields=[
        RegisterField(quantity="illuminance", address=0, type="u32"),
    ]),
    "uv": RegisterMap(fields=[
        RegisterField(quantity="illuminance", address=0, type="u32"),
        RegisterField(quantity="uv", address=2, type="u16", scale=0.1),
    ]),
}
