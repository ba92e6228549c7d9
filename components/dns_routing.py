"""RoutedRecord: one DNS name answered by Route 53 routing between entry points, each with
its own health check, so an unhealthy region stops receiving traffic.

- `failover`: exactly one PRIMARY and one SECONDARY target (Route 53 answers the secondary
  while the primary's health check fails).
- `geolocation`: one target per location (`country` ISO 3166 code, e.g. `SA`, `US`, or a
  `continent` code) plus a default (`country="*"`): Route 53 answers no record at all to a
  resolver from an unlisted location when there is no default (Route 53 developer guide,
  "Geolocation routing").

Every target is an alias (an ALB, an API Gateway domain, a CloudFront distribution) with
an HTTPS health check on `health_check_path` of its `health_check_host` (the name its
certificate and routing answer to). Route 53 health checks and records are global: the
component takes the stack's provider. An entry point whose security group admits only named
sources must also admit Route 53's health checkers on 443: AWS keeps their addresses in the
managed prefix list `com.amazonaws.route53-healthchecks` (Route 53 developer guide, "IP
address ranges of Route 53 servers"; every region since 2023-09), else the check fails and
the record is withdrawn.

Every stack that uses a name is given its whole routing table (so each validates the same
complete table), and creates the records of the targets it has an entry point for
(`dns_name` given); a target without `dns_name` is another stack's. That is how stacks of
different jurisdictions share one name: Pulumi resolves a StackReference only within one
state backend, and each jurisdiction has its own (platformctl state-backends), so a `us`
stack cannot read an `sa` stack's load balancer; the `sa` stack owns its own record instead.

Outputs: `fqdn`, `health_check_ids` (owned target id -> health check id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.labels import child_name, resource_tags

RoutingPolicy = Literal["failover", "geolocation"]
# The hosted zone of every CloudFront distribution, for alias records (AWS docs, Route 53
# API "AliasTarget"); Route 53 refuses EvaluateTargetHealth on such an alias.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
# Route 53 health checks: interval 10 or 30 s, failure threshold 1-10 (API HealthCheckConfig).
REQUEST_INTERVALS = (10, 30)
DEFAULT_LOCATION = "*"


@dataclass(frozen=True, kw_only=True)
class RouteTarget:
    id: str
    """Set identifier of this target's record (unique within the name), e.g. its region."""
    dns_name: pulumi.Input[str] | None = None
    """DNS name of the alias target (ALB, API Gateway domain, distribution); None: the
    target's record belongs to the stack that owns its entry point."""
    alias_zone_id: pulumi.Input[str] | None = None
    """Hosted zone id of the alias target (the ALB's `zone_id`, CLOUDFRONT_ZONE_ID, ...)."""
    health_check_host: pulumi.Input[str] | None = None
    """Host the health check requests (SNI and Host header); default `dns_name`."""
    health_check_path: str = "/health"
    failover: Literal["PRIMARY", "SECONDARY"] | None = None
    """Role of the target under `failover` routing."""
    country: str | None = None
    """Under `geolocation`: ISO 3166-1 alpha-2 country code, or `*` for the default."""
    continent: str | None = None
    """Under `geolocation`: continent code (AF, AN, AS, EU, OC, NA, SA) instead of a country."""


@dataclass(frozen=True, kw_only=True)
class RoutedRecordArgs:
    zone_id: pulumi.Input[str]
    """Hosted zone of `name` (a Route 53 public zone)."""
    name: str
    """The DNS name answered (A alias records)."""
    policy: RoutingPolicy
    """`failover` (PRIMARY / SECONDARY) or `geolocation` (locations and a default)."""
    targets: Sequence[RouteTarget]
    """The whole routing table of `name`; this stack creates the targets it gives a
    `dns_name` (the others are other stacks')."""
    request_interval: int = 30
    """Seconds between health checks (10 costs more)."""
    failure_threshold: int = 3
    """Consecutive failed checks before a target is unhealthy (1-10)."""

    def __post_init__(self) -> None:
        ids = [t.id for t in self.targets]
        if len(set(ids)) != len(ids):
            raise ValueError(f"targets: ids {ids} repeat; give each target its own id")
        if self.request_interval not in REQUEST_INTERVALS:
            raise ValueError(f"request_interval: {self.request_interval} is not one Route 53 "
                             f"offers; use {' or '.join(map(str, REQUEST_INTERVALS))}")
        if not 1 <= self.failure_threshold <= 10:
            raise ValueError(f"failure_threshold: {self.failure_threshold} is outside "
                             "Route 53's 1-10")
        if not any(t.dns_name is not None for t in self.targets):
            raise ValueError("targets: none has a dns_name, so this stack would create no "
                             "record; give the entry point(s) this stack owns")
        for target in self.targets:
            if (target.dns_name is None) != (target.alias_zone_id is None):
                raise ValueError(f"targets[{target.id}]: give dns_name and alias_zone_id "
                                 "together (or neither, for another stack's target)")
            if not target.health_check_path.startswith("/"):
                raise ValueError(f"targets[{target.id}].health_check_path: "
                                 f"'{target.health_check_path}' must start with /")
        if self.policy == "failover":
            self._check_failover()
        elif self.policy == "geolocation":
            self._check_geolocation()
        else:
            raise ValueError(f"policy: '{self.policy}' is unknown; use failover or geolocation")

    def _check_failover(self) -> None:
        roles = sorted(str(t.failover) for t in self.targets)
        if roles != ["PRIMARY", "SECONDARY"]:
            raise ValueError(f"targets: failover routing needs one PRIMARY and one SECONDARY "
                             f"target, got {roles}; set `failover` on both")

    def _check_geolocation(self) -> None:
        locations = []
        for target in self.targets:
            if (target.country is None) == (target.continent is None):
                raise ValueError(f"targets[{target.id}]: geolocation needs exactly one of "
                                 "country or continent")
            locations.append(target.country or target.continent)
        if len(set(locations)) != len(locations):
            raise ValueError(f"targets: locations {locations} repeat; route each once")
        if DEFAULT_LOCATION not in locations:
            raise ValueError("targets: geolocation routing has no default (country='*'); "
                             "resolvers elsewhere would get no answer, add one")


class RoutedRecord(pulumi.ComponentResource):
    """Health-checked Route 53 routing records for one name."""

    fqdn: str
    """The name answered."""
    health_check_ids: dict[str, pulumi.Output[str]]
    """Target id -> its Route 53 health check, for the targets this stack owns."""

    def __init__(self, name: str, args: RoutedRecordArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:dns_routing:RoutedRecord", name, None, opts)
        self.fqdn = args.name
        self.health_check_ids = {}
        for target in (t for t in args.targets if t.dns_name is not None):
            check = aws.route53.HealthCheck(
                child_name(name, f"health-{target.id}"), type="HTTPS", port=443,
                fqdn=target.health_check_host or target.dns_name,
                resource_path=target.health_check_path,
                request_interval=args.request_interval,
                failure_threshold=args.failure_threshold, measure_latency=True,
                tags=resource_tags(child_name(name, f"health-{target.id}")),
                opts=pulumi.ResourceOptions(parent=self))
            self.health_check_ids[target.id] = check.id
            aws.route53.Record(
                child_name(name, target.id), zone_id=args.zone_id, name=args.name, type="A",
                set_identifier=target.id, health_check_id=check.id,
                aliases=[aws.route53.RecordAliasArgs(
                    name=target.dns_name, zone_id=target.alias_zone_id,
                    # The target's own health too (an ALB with no healthy targets), except
                    # where Route 53 refuses it (CloudFront).
                    evaluate_target_health=target.alias_zone_id != CLOUDFRONT_ZONE_ID)],
                **_routing_policy(args.policy, target),
                opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"fqdn": self.fqdn, "healthCheckIds": self.health_check_ids})


def _routing_policy(policy: RoutingPolicy, target: RouteTarget) -> dict[str, object]:
    if policy == "failover":
        return {"failover_routing_policies": [
            aws.route53.RecordFailoverRoutingPolicyArgs(type=target.failover)]}
    return {"geolocation_routing_policies": [aws.route53.RecordGeolocationRoutingPolicyArgs(
        country=target.country, continent=target.continent)]}
