"""What every command shares: the --config option and loading the facility file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .config import Facility, FacilityError, load_facility
from .settings import facility_path

console = Console()
err = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="facility file (default: $CANGJING_CONFIG or Beiqijia)"),
]


def load_or_exit(path: Path | None) -> Facility:
    """Load the facility file or print every error with its path and exit 2."""
    resolved = facility_path(path)
    try:
        return load_facility(resolved)
    except FacilityError as exc:
        err.print(f"[bold red]{exc.source}: {len(exc.errors)} error(s)[/]")
        for line in exc.errors:
            err.print(f"  {line}", markup=False, highlight=False)
        raise typer.Exit(2) from None


