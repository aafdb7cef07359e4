"""Metal corrosion risk by relative-humidity band.

A band classification, not a rate model: ``rh < low_below`` -> "low",
``rh > high_above`` -> "high", otherwise "moderate".  Pollutants (H2S/OCS for silver,
organic acids for lead) matter as much as RH for some metals and are not covered.

Thresholds and their sources
----------------------------
general metals: low < 40 %RH, high > 60 %RH
  - DESIGN.md / JGJ 66 storage preset for metals: 0-40 %RH.
  - Western Australian Museum, *Conservation and Care of Collections* (2017), "Metals --
    Preventive Conservation": "relative humidity levels in storage and display areas
    should be kept below 45 % for most metals".
  - Above ~60 %RH adsorbed water films are thick enough to act as bulk electrolyte:
    D. A. Scott (JAIC 29(2), 1990, sec. 4, after Graedel 1987) -- at 60 %RH and 20 degC
    about 15 water monolayers form on copper, and more than ~3 behave like bulk water;
    Watkinson et al. 2019 (below) see corrosion of iron become rapid at 60-70 %RH.

bronze / copper alloys ("bronze disease", cuprous chloride): low < 39, high > 46
  - D. A. Scott, "Bronze disease: a review of some chemical problems and the role of
    relative humidity", JAIC 29(2):193-206, 1990: unstable bronzes "must be stored at
    an RH of less than 39 %" (empirical museum recommendation); the critical RH of
    cuprous chloride in isolation is "higher than 46 %"; 42-46 % "was found to be
    sufficient" for the majority of bronzes.  Between 39 and 46 is therefore
    "moderate": safe for most, not for the problematic objects.

archaeological iron (chloride-contaminated): low < 12, high > 30
  - D. Watkinson and M. Lewis, "Desiccated storage of chloride-contaminated
    archaeological iron objects", Studies in Conservation 50(4):241-252, 2005:
    corrosion with FeCl2.4H2O / akaganeite "is appreciable at 25 % RH and above";
    12 % recommended as the maximum for long-term storage.
  - D. Watkinson, M. Rimmer, N. Emmerson, Studies in Conservation 64(8):456-471, 2019:
    corrosion of excavated nails negligible at 20 %RH, slow up to 40 %RH, rapid at
    60-70 %RH.
  - Western Australian Museum (2017, as above): "below 35 % for most iron objects",
    <= 15 % for chloride-infested iron, <= 12 % with akaganeite + FeCl2.4H2O.
  The "high" boundary, 30 %RH, is a judgement inside that published 25-35 % range.
"""

from __future__ import annotations

import math

__all__ = [
    "BRONZE_HIGH_ABOVE_RH",
    "BRONZE_LOW_BELOW_RH",
    "CORROSION_RH_THRESHOLDS",
    "GENERAL_HIGH_ABOVE_RH",
    "GENERAL_LOW_BELOW_RH",
    "IRON_HIGH_ABOVE_RH",
    "IRON_LOW_BELOW_RH",
    "corrosion_risk",
]

GENERAL_LOW_BELOW_RH = 40.0
GENERAL_HIGH_ABOVE_RH = 60.0
BRONZE_LOW_BELOW_RH = 39.0  # Scott 1990
BRONZE_HIGH_ABOVE_RH = 46.0  # Scott 1990
IRON_LOW_BELOW_RH = 12.0  # Watkinson & Lewis 2005
IRON_HIGH_ABOVE_RH = 30.0  # within Watkinson & Lewis 2005 (25 %) .. WA Museum (35 %)

# metal name -> (low_below, high_above), percent RH
CORROSION_RH_THRESHOLDS: dict[str, tuple[float, float]] = {
    "general": (GENERAL_LOW_BELOW_RH, GENERAL_HIGH_ABOVE_RH),
    "bronze": (BRONZE_LOW_BELOW_RH, BRONZE_HIGH_ABOVE_RH),
    "copper": (BRONZE_LOW_BELOW_RH, BRONZE_HIGH_ABOVE_RH),
    "iron": (IRON_LOW_BELOW_RH, IRON_HIGH_ABOVE_RH),
}


def corrosion_risk(rh: float, metal: str = "general") -> str:
    """``"low"``, ``"moderate"`` or ``"high"`` corrosion risk at ``rh`` percent RH.

    ``metal`` is one of ``"general"``, ``"bronze"`` (= ``"copper"``, copper alloys with
    possible cuprous chloride) or ``"iron"`` (archaeological, chloride-contaminated).
    Thresholds and sources: module docstring and :data:`CORROSION_RH_THRESHOLDS`.
    """
    if math.isnan(rh) or not (0.0 <= rh <= 100.0):
        raise ValueError(f"relative humidity must be in [0, 100] percent, got {rh!r}")
    try:
        low_below, high_above = CORROSION_RH_THRESHOLDS[metal.lower()]
    except KeyError:
        known = ", ".join(sorted(CORROSION_RH_THRESHOLDS))
        raise ValueError(f"unknown metal {metal!r}; known: {known}") from None
    if rh < low_below:
        return "low"
    if rh > high_above:
        return "high"
    return "moderate"
