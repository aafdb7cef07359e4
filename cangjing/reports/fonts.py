"""The CJK font the reports are set in (Debian/Ubuntu package fonts-noto-cjk)."""

from __future__ import annotations

# Simplified Chinese first: the others draw some hanzi in other regional forms.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans CJK TC",
                "Noto Sans CJK JP", "WenQuanYi Zen Hei")
LATIN_FALLBACK = "DejaVu Sans"


class FontMissing(RuntimeError):
    """No font that can draw Chinese is installed."""


def report_font(lang: str, installed: set[str] | None = None) -> str:
    """The family to set a report in; Chinese needs a CJK font or fails clearly.

    `installed`: the font families to choose from (default: what matplotlib finds)."""
    if installed is None:
        from matplotlib import font_manager

        installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    if lang == "en":
        # Zone and site names may still be Chinese; they would show as boxes.
        return LATIN_FALLBACK
    raise FontMissing(
        "no Chinese (CJK) font found for the report: install the package fonts-noto-cjk "
        "(scripts/setup.sh does), then remove ~/.cache/matplotlib; or use --lang en"
    )
