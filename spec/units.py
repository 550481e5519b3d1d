"""Parsers for the human forms SPEC.md allows: durations, CPU units, memory sizes.

Each parser accepts the bare number or the written form and returns the one
canonical unit the compiler uses (seconds, CPU units, MiB), so no later layer
ever sees a string like "0.5 vCPU".
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_DURATION = re.compile(r"^\s*(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?\s*$", re.IGNORECASE)
_CPU = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(vcpus?)?\s*$", re.IGNORECASE)
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(mib|mb|m|gib|gb|g)?\s*$", re.IGNORECASE)
_SECONDS_PER = {"s": 1, "m": 60, "h": 3600}


def _number(value: object, what: str) -> int:
    """A bare integer (not a bool, not a fraction) from YAML."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected {what}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{value} is not a whole number")
    return int(value)


def duration(value: object) -> int:
    """``30s``, ``5m``, ``1h`` or a bare number of seconds -> seconds."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a duration (use e.g. 30s, 5m or a number of seconds)")
        unit = (match.group(2) or "s")[0].lower()
        return int(match.group(1)) * _SECONDS_PER[unit]
    seconds = _number(value, "a duration such as 30s, 5m or a number of seconds")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


def cpu(value: object) -> int:
    """Fargate CPU units, or ``"0.5 vCPU"`` (1 vCPU = 1024 units)."""
    if isinstance(value, str):
        match = _CPU.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a CPU size (use CPU units such as 512, or '0.5 vCPU')")
        amount = Decimal(match.group(1))
        units = amount * 1024 if match.group(2) else amount
        if units != units.to_integral_value():
            raise ValueError(f"{value!r} is not a whole number of CPU units")
        return int(units)
    return _number(value, "CPU units such as 512, or a string such as '0.5 vCPU'")


def memory(value: object) -> int:
    """MiB, or ``"1 GB"`` / ``"512 MiB"`` (GB and GiB both mean 1024 MiB, as in the ECS console)."""
    if isinstance(value, str):
        match = _MEMORY.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a memory size (use MiB such as 1024, or '1 GB')")
        try:
            amount = Decimal(match.group(1))
        except InvalidOperation as err:  # pragma: no cover - the regex admits only numbers
            raise ValueError(f"{value!r} is not a number") from err
        unit = (match.group(2) or "m")[0].lower()
        mib = amount * 1024 if unit == "g" else amount
        if mib != mib.to_integral_value():
            raise ValueError(f"{value!r} is not a whole number of MiB")
        return int(mib)
    return _number(value, "MiB such as 1024, or a string such as '1 GB'")


#: AWS Fargate task sizes: cpu -> (lowest MiB, highest MiB, step MiB), plus the 256-unit special case.
FARGATE_SIZES: dict[int, tuple[int, int, int]] = {
    256: (512, 2048, 512),  # 512, 1024, 2048 (1536 is not offered: handled below)
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
    8192: (16384, 61440, 4096),
    16384: (32768, 122880, 8192),
}


def fargate_memory_options(cpu_units: int) -> list[int]:
    """Every memory size (MiB) Fargate offers for ``cpu_units``."""
    if cpu_units == 256:
        return [512, 1024, 2048]
    low, high, step = FARGATE_SIZES[cpu_units]
    return list(range(low, high + 1, step))


def describe_memory_options(cpu_units: int) -> str:
    """The valid memory sizes for a CPU size, as a short human phrase."""
    if cpu_units == 256:
        return "512, 1024 or 2048"
    low, high, step = FARGATE_SIZES[cpu_units]
    return f"{low}-{high} in steps of {step}"
