"""CloudWatch Logs retention values: the one list, free of SDK imports so the environment
model (posture profiles) and the components check against the same data."""

from __future__ import annotations

# The retention values CloudWatch Logs accepts (PutRetentionPolicy, retentionInDays).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)


def check_log_retention(field: str, days: int) -> None:
    """Raise ValueError naming `field` unless `days` is a retention CloudWatch Logs accepts."""
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
        raise ValueError(f"{field}: {days} is not a CloudWatch Logs retention; use one of "
                         f"{allowed}")
