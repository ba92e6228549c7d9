"""Every AWS region with its partition, from the endpoint data botocore ships.

Source: botocore/data/endpoints.json (the partitions AWS publishes for its SDKs). Zone names
and ids come from environments/aws_regions.yaml where this toolkit records the real ones;
other regions get three zones (a, b, c; AWS launches regions with three or more), which
the plan lists as assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

AWS_REGIONS_FILE = Path(__file__).resolve().parent.parent / "environments" / "aws_regions.yaml"
ASSUMED_ZONE_LETTERS = "abc"
# How zone ids abbreviate compound directions (apne1 of ap-northeast-1).
COMPASS = {"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}


@dataclass(frozen=True)
class Partition:
    name: str
    dns_suffix: str


@cache
def _endpoint_data() -> dict:
    from botocore.loaders import Loader

    return Loader().load_data("endpoints")


@cache
def regions() -> dict[str, Partition]:
    """region -> its partition, for every region of every partition botocore knows."""
    found: dict[str, Partition] = {}
    for partition in _endpoint_data()["partitions"]:
        info = Partition(partition["partition"], partition["dnsSuffix"])
        for region in partition["regions"]:
            found[region] = info
    return found


def partition_of(region: str) -> Partition:
    known = regions().get(region)
    if known is not None:
        return known
    for partition in _endpoint_data()["partitions"]:
        if re.match(partition["regionRegex"], region):
            return Partition(partition["partition"], partition["dnsSuffix"])
    return Partition("aws", "amazonaws.com")


@cache
def _recorded_zones() -> dict[str, dict[str, str]]:
    if not AWS_REGIONS_FILE.is_file():
        return {}
    return yaml.safe_load(AWS_REGIONS_FILE.read_text()) or {}


def _zone_id_prefix(region: str) -> str:
    """use2 of us-east-2, apse1 of ap-southeast-1: how AWS abbreviates a region in zone ids."""
    parts = region.split("-")
    middle = "".join(COMPASS.get(p, p[0]) for p in parts[1:-1])
    return f"{parts[0]}{middle}{parts[-1]}"


def zones(region: str) -> tuple[dict[str, str], bool]:
    """(zone id -> zone name, whether they are assumed rather than recorded) of `region`."""
    recorded = _recorded_zones().get(region)
    if recorded:
        return dict(recorded), False
    prefix = _zone_id_prefix(region)
    return ({f"{prefix}-az{i}": f"{region}{letter}"
             for i, letter in enumerate(ASSUMED_ZONE_LETTERS, 1)}, True)


def region_in_name(stack: str) -> str | None:
    """The region a stack name ends in (`dev-us-east-1` -> us-east-1), if it looks like one."""
    found = [r for r in regions() if stack == r or stack.endswith(f"-{r}")]
    return max(found, key=len) if found else None
