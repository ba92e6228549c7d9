"""Which AWS services a region offers, from the endpoint data botocore ships (AWS publishes
it; no hand list). Global services (CloudFront, Route 53, IAM) have no regional endpoints
and are never checked here."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from environments.errors import SpecError


@cache
def regions_offering(service: str) -> frozenset[str]:
    """Regions of the `aws` partition with an endpoint for `service` (a botocore name)."""
    return frozenset(_session().get_available_regions(service))


@cache
def _session():
    # One session for every service: each new one parses the endpoint data again.
    import botocore.session

    return botocore.session.get_session()


def check_offered(services: Sequence[tuple[str, str]], region: str,
                  jurisdiction_regions: Sequence[str], source: str) -> None:
    """One line for the first (setting, service) whose service `region` lacks, naming the
    regions of the jurisdiction that have it."""
    for setting, service in services:
        offering = regions_offering(service)
        if region in offering:
            continue
        elsewhere = [r for r in jurisdiction_regions if r in offering]
        fix = (f"deploy it in {', '.join(elsewhere)} (same jurisdiction)" if elsewhere
               else "no region of the jurisdiction offers it; turn the setting off")
        raise SpecError(source, setting, f"turns on {service}, which {region} does not offer",
                        fix)
