"""service-not-in-region: a resource of an AWS service that has no endpoint in its region.

Availability comes from botocore's endpoint data (the partition's services and their
regional endpoints); a provider type maps to its botocore service by module name, or by
data/service_modules.yaml where the names differ. Global services (IAM, CloudFront,
Route 53, ...: not regionalized in botocore) are never judged by region.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from platformctl.checks import Report
from platformctl.checks.plan_view import GLOBAL_REGION, StackPlan, is_opaque

ID = "service-not-in-region"
AWS_PACKAGES = ("aws", "aws-native")
TABLE = Path(__file__).with_name("data") / "service_modules.yaml"


@cache
def _loader() -> Any:
    import botocore.loaders

    return botocore.loaders.Loader()


@cache
def _exceptions() -> dict[str, str]:
    return {key: entry["service"] for key, entry in yaml.safe_load(TABLE.read_text()).items()}


@cache
def _botocore_services() -> dict[str, str]:
    """Botocore service name, also with its dashes dropped (as provider modules spell it)."""
    names = _loader().list_available_services("service-2")
    return {**{n.replace("-", ""): n for n in names}, **{n: n for n in names}}


@cache
def _endpoint_prefix(service: str) -> str:
    return _loader().load_service_model(service, "service-2")["metadata"]["endpointPrefix"]


@cache
def partition_of(region: str) -> dict[str, Any] | None:
    for partition in _loader().load_data("endpoints")["partitions"]:
        if region in partition["regions"]:
            return partition
    return None


def _key_matches(key: str, token: str) -> bool:
    if token == key or token.startswith((key + "/", key + ":")):
        return True
    # a resource-level key ("aws:cloudwatch/log", "aws-native:cognito:Identity") is a prefix
    return key.count("/") + key.count(":") >= 2 and token.startswith(key)


def botocore_service(type_token: str) -> str | None:
    """The botocore service a provider type calls, or None when it cannot be told."""
    package, _, rest = type_token.partition(":")
    module = rest.split(":")[0].split("/")[0]
    matches = [k for k in _exceptions() if _key_matches(k, type_token)]
    if matches:
        return _exceptions()[max(matches, key=len)]
    if package not in AWS_PACKAGES:
        return None
    return _botocore_services().get(module.rstrip("_"))


def service_in_region(service: str, region: str) -> bool | None:
    """True/False from botocore's endpoint data; None when the data does not say (a region
    botocore does not know, or a service without entries in this partition)."""
    partition = partition_of(region)
    if partition is None:
        return None
    entry = partition["services"].get(_endpoint_prefix(service))
    if entry is None:
        return None
    return _is_global(entry, partition) or region in entry.get("endpoints", {})


def _is_global(entry: dict[str, Any], partition: dict[str, Any]) -> bool:
    """One global endpoint serves every region of the partition (IAM, CloudFront, ...)."""
    global_endpoint = ("partitionEndpoint" in entry
                       or f"{partition['partition']}-global" in entry.get("endpoints", {}))
    return entry.get("isRegionalized") is False or (
        global_endpoint and entry.get("isRegionalized") is not True)


def is_global(service: str, region: str | None) -> bool:
    """A global service, judged in `region`'s partition (the commercial one if unknown)."""
    partition = partition_of(region or "us-east-1") or partition_of("us-east-1")
    entry = partition["services"].get(_endpoint_prefix(service))
    return entry is not None and _is_global(entry, partition)


def regions_offering(service: str, near: str) -> list[str]:
    """Regions of `near`'s geography (same name prefix, e.g. `me-`) that offer `service`."""
    partition = partition_of(near) or {"regions": {}}
    geography = near.split("-")[0] + "-"
    return [r for r in sorted(partition["regions"])
            if r.startswith(geography) and service_in_region(service, r)]


def run(plans: list[StackPlan], report: Report) -> None:
    for view in plans:
        for resource in view.plan["resources"]:
            package = resource["type"].split(":")[0]
            if package not in AWS_PACKAGES or not resource.get("custom", True):
                continue
            region = resource.get("region")
            service = botocore_service(resource["type"])
            known_region = isinstance(region, str) and not is_opaque(region)
            if region == GLOBAL_REGION or (service and is_global(
                    service, region if known_region else None)):
                continue
            if not known_region:
                report.skip(ID, resource["urn"], f"{view.label(resource)}: region unknown "
                            "(none configured, or known only at apply)")
                continue
            available = service_in_region(service, region) if service else None
            if available is None:
                what = f"service {service}" if service else "its service"
                report.skip(ID, resource["urn"], f"{view.label(resource)}: botocore has no "
                            f"endpoint data for {what} in {region}")
            elif not available:
                nearby = regions_offering(service, region)
                where = (f"a region that offers it ({', '.join(nearby)})" if nearby
                         else "a region that offers it")
                report.add(ID, resource["urn"], f"{view.label(resource)}: "
                           f"{_endpoint_prefix(service)} has no endpoint in {region} "
                           f"(botocore endpoint data); place it in {where} or drop it")
