"""What every benchmark module reports: named figures against a floor measured in the same run.

Absolute times drift on a shared 2-core machine, so each figure carries the floor it is
compared with and the ratio between the two."""

from __future__ import annotations

import json
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    floor: float | None = None
    floor_name: str = ""
    target: str = ""
    met: bool | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if not self.floor:
            return None
        return round(self.value / self.floor, 3)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        return data


def machine() -> dict[str, Any]:
    try:
        cpu = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        cpu = "?"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": cpu.strip(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_results(figures: list[Figure], path: Path, *, quick: bool) -> None:
    path.write_text(
        json.dumps(
            {"machine": machine(), "quick": quick, "figures": [f.as_dict() for f in figures]},
            indent=2,
        )
        + "\n"
    )


def print_table(figures: list[Figure]) -> None:
    header = f"{'figure':<34}{'value':>12} {'unit':<8}{'floor':>12}{'ratio':>8}  target"
    print(header)
    print("-" * len(header))
    for f in figures:
        floor = f"{f.floor:.1f}" if f.floor is not None else "-"
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else "-"
        mark = {True: "met", False: "MISSED", None: ""}[f.met]
        print(f"{f.name:<34}{f.value:>12.2f} {f.unit:<8}{floor:>12}{ratio:>8}  {f.target} {mark}")
