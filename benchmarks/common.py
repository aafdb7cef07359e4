"""What every benchmark shares: naming the machine and writing its own BENCHMARKS.md section."""

from __future__ import annotations

import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), for the machine line of each section."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_section(section: str, text: str, path: Path = ROOT / "BENCHMARKS.md") -> None:
    """Replace (or append) the section headed `section`; the others stay as they are."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if section + "\n" in old:
        head, rest = old.split(section + "\n", 1)
        nxt = rest.find("\n## ")
        tail = rest[nxt + 1:] if nxt >= 0 else ""
        new = head + text + ("\n" + tail if tail else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")
