"""Shared base and field types for the environment model."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from components.retention import LOG_RETENTION_DAYS


class StrictModel(BaseModel):
    """Frozen, and unknown keys are errors (a misspelt key must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as exc:
        raise ValueError(
            f"'{value}' is not a network CIDR ({exc}); write it like 10.32.0.0/16"
        ) from None


def _retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
        raise ValueError(f"{value} is not a CloudWatch Logs retention; use one of {allowed}")
    return value  # (the list: components/retention.py, free of SDK imports)


Cidr = Annotated[str, AfterValidator(_network)]
LogRetentionDays = Annotated[int, AfterValidator(_retention)]
DataClass = Literal["user-pii", "user-content", "public-content", "telemetry"]
PositiveInt = Annotated[int, Field(ge=1)]
