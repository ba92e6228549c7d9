"""Cdn kind cloudflare: zone hardening, WAF and rate-limit rulesets, cache rules, tiered
cache, HMAC-token video paths (with the secret kept secret), proxied DNS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_cloudflare as cloudflare
import pytest
from pulumi.runtime.rpc import unwrap_rpc_secret

from components.cdn import Cdn, CdnArgs, CdnOrigin
from components.cdn_cloudflare import CLOUDFLARE_MANAGED_RULESET
from components.object_store import ObjectStore, ObjectStoreArgs
from platformctl.engine import run_callable
from tests.plans import PlanView, run_offline

RULESET = "cloudflare:index/ruleset:Ruleset"
ZONE = "9a8b7c6d5e4f30211203f4e5d6c7b8a9"
ALB = "api-123.eu-central-1.elb.amazonaws.com"
CONTENT_HOST = "content.example.com"


def cloudflare_program(**overrides: Any) -> Callable[[], None]:
    def program() -> None:
        provider = cloudflare.Provider("cloudflare")
        opts = pulumi.ResourceOptions(providers=[provider])
        store = ObjectStore("content", ObjectStoreArgs(
            kind="r2", data_class="user-content", r2_account_id="acc", r2_jurisdiction="eu",
            r2_custom_domain=CONTENT_HOST, r2_zone_id=ZONE), opts=opts)
        origins = [
            CdnOrigin.for_store(store, origin_id="content", role="vod"),
            CdnOrigin(origin_id="api", domain_name=ALB, role="api", hostname="learn.example.com"),
        ]
        args = {"kind": "cloudflare", "origins": origins, "domain_names": ["learn.example.com"],
                "zone_id": ZONE, "hmac_secret": pulumi.Output.secret("s3cr3t-hmac-key"),
                **overrides}
        Cdn("cdn", CdnArgs(**args), opts=opts)

    return program


def plan_cloudflare(**overrides: Any) -> PlanView:
    return run_offline(cloudflare_program(**overrides))


@pytest.fixture(scope="module")
def plan() -> PlanView:
    return plan_cloudflare()


def rulesets(plan: PlanView) -> dict[str, dict[str, Any]]:
    return {r["props"]["phase"]: r for r in plan.of_type(RULESET)}


def test_zone_settings_harden_tls(plan: PlanView) -> None:
    settings = {r["props"]["settingId"]: r["props"]["value"]
                for r in plan.of_type("cloudflare:index/zoneSetting:ZoneSetting")}
    assert settings["ssl"] == "strict"
    assert settings["min_tls_version"] == "1.2"
    assert settings["always_use_https"] == "on"
    assert settings["tls_1_3"] == "on"


def test_managed_waf_and_rate_limit_rulesets(plan: PlanView) -> None:
    found = rulesets(plan)
    managed = found["http_request_firewall_managed"]["props"]
    assert managed["kind"] == "zone" and managed["zoneId"] == ZONE
    assert managed["rules"][0]["action"] == "execute"
    assert managed["rules"][0]["actionParameters"]["id"] == CLOUDFLARE_MANAGED_RULESET
    rate = found["http_ratelimit"]["props"]["rules"][0]
    assert rate["action"] == "block"
    assert rate["ratelimit"]["characteristics"] == ["cf.colo.id", "ip.src"]
    assert rate["ratelimit"]["requestsPerPeriod"] == 2000 * 60 // 300


def test_cache_rules_for_video_segments(plan: PlanView) -> None:
    rules = rulesets(plan)["http_request_cache_settings"]["props"]["rules"]
    segments = rules[0]
    assert segments["action"] == "set_cache_settings"
    assert '"m4s"' in segments["expression"] and '"ts"' in segments["expression"]
    assert f'http.host eq "{CONTENT_HOST}"' in segments["expression"]
    assert segments["actionParameters"]["cache"] is True
    assert segments["actionParameters"]["edgeTtl"] == {"mode": "override_origin",
                                                       "default": 86_400}
    assert '"m3u8"' in rules[1]["expression"]


def test_video_paths_need_a_timed_hmac_token_and_the_secret_stays_secret(plan: PlanView
                                                                         ) -> None:
    custom = rulesets(plan)["http_request_firewall_custom"]["props"]
    assert custom["kind"] == "zone" and custom["zoneId"] == ZONE
    assert "is_timed_hmac_valid_v0" in custom["description"]
    # The expression embeds the HMAC key, so the rules are a secret in the plan.
    assert custom["rules"] == "[secret]"
    assert "s3cr3t-hmac-key" not in str(plan.plan)
    # The rule as the engine received it (unmasked): it blocks, is on, and its expression
    # checks the configured secret, on the content host, with the default 3-hour lifetime.
    capture = run_callable(cloudflare_program(), project="test", stack="test")
    [registration] = [r for r in capture.registrations if r.type == RULESET
                      and r.inputs.get("phase") == "http_request_firewall_custom"]
    [rule] = unwrap_rpc_secret(registration.inputs["rules"])
    assert rule["action"] == "block"
    assert rule["enabled"] is True
    assert unwrap_rpc_secret(rule["expression"]) == (
        f'(http.host eq "{CONTENT_HOST}") and not is_timed_hmac_valid_v0('
        '"s3cr3t-hmac-key", http.request.uri, 10800, http.request.timestamp.sec, 8)')


def test_tiered_cache_and_proxied_dns_and_no_aws_cdn(plan: PlanView) -> None:
    assert plan.one("cloudflare:index/tieredCache:TieredCache")["props"]["value"] == "on"
    assert plan.one("cloudflare:index/argoTieredCaching:ArgoTieredCaching")["props"][
        "value"] == "on"
    [record] = plan.of_type("cloudflare:index/dnsRecord:DnsRecord")
    assert record["props"]["name"] == "learn.example.com"
    assert record["props"]["content"] == ALB
    assert record["props"]["proxied"] is True
    assert not [r for r in plan.resources if r["type"].startswith("aws:")]


def test_unsigned_configuration_has_no_token_rule() -> None:
    plan = plan_cloudflare(signed_urls=False, hmac_secret=None)
    assert "http_request_firewall_custom" not in rulesets(plan)
    assert "http_request_firewall_managed" in rulesets(plan)


def _https(origin_id: str, hostname: str | None, patterns: list[str] | None = None,
           role: str = "vod") -> CdnOrigin:
    return CdnOrigin(origin_id=origin_id, domain_name=pulumi.Output.from_input(ALB),
                     role=role, hostname=hostname,  # type: ignore[arg-type]
                     path_patterns=patterns or [])


@pytest.mark.parametrize(("overrides", "message"), [
    ({"zone_id": None}, r"^zone_id: missing"),
    ({"hmac_secret": None}, r"^hmac_secret: missing while video paths are token-protected"),
    ({"origins": [_https("a", None)]}, r"^origins: 'a' has no hostname"),
    ({"origins": [_https("a", "v.example.com", ["/vod/*.m3u8"])]},
     r"^path_patterns: '/vod/\*\.m3u8' is not a '/prefix/\*' pattern"),
    ({"certificate_arn": "arn:aws:acm:us-east-1:1:certificate/x"},
     r"^certificate_arn: only applies to kind 'cloudfront'"),
])
def test_cloudflare_args_validation(overrides: dict[str, Any], message: str) -> None:
    args = {"kind": "cloudflare", "origins": [_https("vod", "v.example.com")],
            "zone_id": ZONE, "hmac_secret": "x", **overrides}
    with pytest.raises(ValueError, match=message):
        CdnArgs(**args)


def test_private_s3_and_mediapackage_origins_are_refused_on_cloudflare() -> None:
    live = CdnOrigin(origin_id="live", domain_name="x.mediapackagev2.example", role="live",
                     access="mediapackagev2-oac", grant_access=lambda arn: None,
                     hostname="live.example.com")
    with pytest.raises(ValueError, match="only CloudFront can sign"):
        CdnArgs(kind="cloudflare", origins=[live], zone_id=ZONE, hmac_secret="x")
    bucket = CdnOrigin(origin_id="s3", domain_name="b.s3.eu-central-1.amazonaws.com",
                       role="static", access="s3-oac", grant_access=lambda arn: None,
                       hostname="s3.example.com")
    with pytest.raises(ValueError, match="Cloudflare cannot sign to S3"):
        CdnArgs(kind="cloudflare", origins=[bucket], zone_id=ZONE, hmac_secret="x")
