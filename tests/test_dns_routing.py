"""RoutedRecord: every routed record carries its own HTTPS health check; failover needs a
PRIMARY and a SECONDARY, geolocation a default; bad arguments are one line."""

from __future__ import annotations

from typing import Any

import pytest

from components.dns_routing import (
    CLOUDFRONT_ZONE_ID,
    RoutedRecord,
    RoutedRecordArgs,
    RouteTarget,
)
from tests.plans import in_region, run_offline

ALB_ZONE = "Z35SXDOTRQ7X7K"


def _target(id: str, **routing: Any) -> RouteTarget:
    return RouteTarget(id=id, dns_name=f"{id}.elb.amazonaws.com", alias_zone_id=ALB_ZONE,
                       health_check_path="/healthz", **routing)


FAILOVER = [_target("us-east-1", failover="PRIMARY"), _target("us-west-2", failover="SECONDARY")]
GEO = [_target("sa", country="SA"), _target("us", country="US"),
       RouteTarget(id="default", dns_name="d111.cloudfront.net", alias_zone_id=CLOUDFRONT_ZONE_ID,
                   country="*")]


def _plan(policy: str, targets: list[RouteTarget]):
    return run_offline(in_region("us-east-1", lambda opts: RoutedRecord(
        "entry", RoutedRecordArgs(zone_id="Z1", name="app.example.com", policy=policy,
                                  targets=targets), opts=opts)))


@pytest.mark.parametrize(("policy", "targets"), [("failover", FAILOVER), ("geolocation", GEO)])
def test_each_target_record_points_at_its_own_https_health_check(policy, targets) -> None:
    plan = _plan(policy, targets)
    checks = {r["urn"]: r for r in plan.of_type("aws:route53/healthCheck:HealthCheck")}
    records = plan.of_type("aws:route53/record:Record")
    assert sorted(r["props"]["setIdentifier"] for r in records) == sorted(t.id for t in targets)
    for record in records:
        check_urn = next(d for d in record["dependencies"] if d in checks)
        check = checks[check_urn]["props"]
        target = next(t for t in targets if t.id == record["props"]["setIdentifier"])
        assert (check["type"], check["port"], check["fqdn"], check["resourcePath"]) == (
            "HTTPS", 443, target.dns_name, target.health_check_path)
        alias = record["props"]["aliases"][0]
        # Route 53 refuses EvaluateTargetHealth on CloudFront aliases; elsewhere it is on.
        assert alias["evaluateTargetHealth"] is (target.alias_zone_id != CLOUDFRONT_ZONE_ID)


def test_failover_roles_and_geolocation_locations_reach_the_records() -> None:
    failover = _plan("failover", FAILOVER).of_type("aws:route53/record:Record")
    assert {r["props"]["setIdentifier"]: r["props"]["failoverRoutingPolicies"][0]["type"]
            for r in failover} == {"us-east-1": "PRIMARY", "us-west-2": "SECONDARY"}
    geo = _plan("geolocation", GEO).of_type("aws:route53/record:Record")
    assert {r["props"]["setIdentifier"]: r["props"]["geolocationRoutingPolicies"][0]["country"]
            for r in geo} == {"sa": "SA", "us": "US", "default": "*"}


def test_a_stack_creates_only_the_targets_it_owns_of_the_whole_table() -> None:
    table = [RouteTarget(id="sa", country="SA"), *GEO[1:]]
    plan = _plan("geolocation", table)
    records = plan.of_type("aws:route53/record:Record")
    assert sorted(r["props"]["setIdentifier"] for r in records) == ["default", "us"]
    assert len(plan.of_type("aws:route53/healthCheck:HealthCheck")) == 2


@pytest.mark.parametrize(("policy", "targets", "words"), [
    ("geolocation", [RouteTarget(id=t.id, country=t.country) for t in GEO], "none has a dns_name"),
    ("geolocation", [RouteTarget(id="sa", country="SA", dns_name="x"), *GEO[1:]],
     r"targets\[sa\]: give dns_name and alias_zone_id together"),
    ("failover", FAILOVER[:1], "one PRIMARY and one SECONDARY"),
    ("failover", [FAILOVER[0], _target("b", failover="PRIMARY")], "one PRIMARY and one SECONDARY"),
    ("geolocation", GEO[:2], "no default"),
    ("geolocation", [*GEO, _target("sa2", country="SA")], "repeat"),
    ("geolocation", [_target("x", country="SA", continent="AS"), GEO[2]], "exactly one of"),
    ("failover", [FAILOVER[0], FAILOVER[0]], "ids .* repeat"),
    ("latency", FAILOVER, "policy: 'latency' is unknown"),
])
def test_bad_routing_is_refused_with_the_field(policy, targets, words) -> None:
    with pytest.raises(ValueError, match=words):
        RoutedRecordArgs(zone_id="Z1", name="app.example.com", policy=policy, targets=targets)


@pytest.mark.parametrize(("changes", "words"), [
    ({"request_interval": 15}, "request_interval: 15"),
    ({"failure_threshold": 0}, "failure_threshold: 0"),
])
def test_bad_health_check_knobs_are_refused(changes, words) -> None:
    with pytest.raises(ValueError, match=words):
        RoutedRecordArgs(zone_id="Z1", name="app.example.com", policy="failover",
                         targets=FAILOVER, **changes)
