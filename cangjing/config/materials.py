"""Material classes and the conservation limits they bring (the zone presets).

Sources (DESIGN.md, "Conservation reference"):
- Temperature/RH by collection class: Chinese museum storage guidance, JGJ 66-2015
  (博物馆建筑设计规范, table of 藏品库房 temperature/RH by material) and WW/T guidance.
  Temperature is given there as a design point (20 °C; 5 °C for leather/fur); the ranges
  below are that point ± 4 K, wide enough for a storage room's normal drift and still
  inside what the guidance tolerates. Zones override them where a room is run tighter.
- Photographs/film: ISO 18920 / ISO 18911 "cool" storage, 30–50 %RH.
- Daily swing: ASHRAE Handbook—HVAC Applications, ch. "Museums, Galleries, Archives and
  Libraries", classes AA/A/B (short fluctuations ±5 %RH/±2 K for AA and A, ±10 %RH/±5 K
  for B: the daily max−min limit is twice the ± fluctuation).
- Light: GB/T 23863 (博物馆照明设计规范): extremely sensitive ≤ 50 lx and ≤ 50,000 lx·h/year,
  sensitive ≤ 150 lx and ≤ 360,000 lx·h/year, UV < 20 µW/lm; storage room floors ≤ 75 lx,
  transit rooms ≤ 50 lx, study rooms ≤ 150 lx.
"""

from __future__ import annotations

from enum import StrEnum


class Material(StrEnum):
    metal = "metal"  # bronze, iron, silver, coins; telegraph keys, seals
    glass = "glass"
    ceramic = "ceramic"  # enamel, ceramics, stone; porcelain insulators
    paper = "paper"  # paper, books, rubbings, stamps, telegrams
    textile = "textile"  # textiles, costume, uniforms, banners, oil paintings
    wood = "wood"  # lacquer, wood, bamboo; cabinets, booths
    leather = "leather"  # leather, fur
    photo = "photo"  # photographs, negatives, film (ISO 18920)
    mixed = "mixed"  # electromechanical equipment: metal, wood, bakelite, textile wiring


class LightClass(StrEnum):
    extremely_sensitive = "extremely_sensitive"
    sensitive = "sensitive"
    insensitive = "insensitive"


class SwingClass(StrEnum):
    AA = "AA"
    A = "A"
    B = "B"


class RoomKind(StrEnum):
    storage = "storage"
    transit = "transit"
    study = "study"


# material -> (temperature min, max °C), (RH min, max %), light class
MATERIAL_PRESETS: dict[Material, tuple[tuple[float, float], tuple[float, float], LightClass]] = {
    Material.metal: ((16.0, 24.0), (0.0, 40.0), LightClass.insensitive),
    Material.glass: ((16.0, 24.0), (0.0, 40.0), LightClass.insensitive),
    Material.ceramic: ((16.0, 24.0), (40.0, 50.0), LightClass.insensitive),
    Material.paper: ((16.0, 24.0), (50.0, 60.0), LightClass.extremely_sensitive),
    Material.textile: ((16.0, 24.0), (50.0, 60.0), LightClass.extremely_sensitive),
    Material.wood: ((16.0, 24.0), (50.0, 60.0), LightClass.sensitive),
    Material.leather: ((1.0, 9.0), (50.0, 60.0), LightClass.sensitive),
    Material.photo: ((10.0, 18.0), (30.0, 50.0), LightClass.extremely_sensitive),
    # The most demanding parts of electromechanical objects are metal contacts (corrosion
    # above ~45 %RH) and wood/bakelite cases (cracking below ~40 %RH).
    Material.mixed: ((16.0, 24.0), (40.0, 50.0), LightClass.sensitive),
}

# light class -> (max lux while lit, annual dose lx·h or None for no budget)
LIGHT_LIMITS: dict[LightClass, tuple[float, float | None]] = {
    LightClass.extremely_sensitive: (50.0, 50_000.0),
    LightClass.sensitive: (150.0, 360_000.0),
    LightClass.insensitive: (300.0, None),
}

ROOM_MAX_LUX: dict[RoomKind, float] = {
    RoomKind.storage: 75.0,
    RoomKind.transit: 50.0,
    RoomKind.study: 150.0,
}

UV_MAX_UW_PER_LM = 20.0

# swing class -> (max daily RH swing %RH, max daily temperature swing K)
SWING_LIMITS: dict[SwingClass, tuple[float, float]] = {
    SwingClass.AA: (10.0, 4.0),
    SwingClass.A: (10.0, 4.0),
    SwingClass.B: (20.0, 10.0),
}
