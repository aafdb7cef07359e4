"""`make bench`: run every benchmark module in turn (each writes its BENCHMARKS.md section).

Benchmarks are not part of the test suite: they take minutes and want a quiet machine.
`python -m benchmarks.run gateway collector` runs only those.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ORDER = ("gateway", "collector", "alerts", "dashboards")


def main(names: list[str]) -> int:
    here = Path(__file__).parent
    failed = []
    for name in names or ORDER:
        if not (here / f"{name}.py").exists():
            print(f"benchmarks.{name}: not present, skipped")
            continue
        print(f"== benchmarks.{name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"benchmarks.{name}"]).returncode != 0:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
