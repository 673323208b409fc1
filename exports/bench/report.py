"""The bench's verdicts against the issue's targets, its printed table and its JSON."""

import json
import math
from dataclasses import dataclass


@dataclass
class Target:
    name: str
    value: float | None
    limit: float
    at_least: bool  # True: value >= limit passes; False: value <= limit passes
    unit: str = ""
    note: str = ""

    @property
    def passed(self) -> bool | None:
        if self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return None
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def verdict(self) -> str:
        if self.passed is None:
            return "n/a"
        if self.passed:
            return "PASS"
        if self.at_least:
            short = self.limit - self.value
            return f"MISS by {_number(short)}{self.unit} ({_number(self.value / self.limit * 100)} % of the target)"
        over = self.value - self.limit
        times = f", {self.value / self.limit:.1f}x" if self.limit else ""
        return f"MISS by {_number(over)}{self.unit} ({'+'}{_number(over / self.limit * 100) if self.limit else '-'} %{times})"

    def line(self) -> str:
        sign = ">=" if self.at_least else "<="
        value = "-" if self.value is None else f"{_number(self.value)}{self.unit}"
        note = f"  [{self.note}]" if self.note else ""
        return f"  {self.name:<44} {value:>14}  target {sign} {_number(self.limit)}{self.unit:<6} {self.verdict()}{note}"


def _number(value: float) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  " + "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines = [fmt.format(*header), "  " + "  ".join("-" * w for w in widths)]
    lines += [fmt.format(*(str(c) for c in r)) for r in rows]
    return "\n".join(lines)


def write_json(path: str, figures: dict) -> None:
    def plain(value):
        if isinstance(value, float) and math.isnan(value):
            return None
        return value

    with open(path, "w") as handle:
        json.dump({k: plain(v) for k, v in figures.items()}, handle, indent=2, sort_keys=True, default=str)
        handle.write("\n")
