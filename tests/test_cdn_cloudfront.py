"""Cdn kind cloudfront: OAC and the bucket policy condition, TLS, WAF, signed video, logging."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.cdn import Cdn, CdnArgs, CdnOrigin
from components.cdn_cloudfront import (
    ALL_VIEWER_EXCEPT_HOST_HEADER,
    CACHING_DISABLED,
    CACHING_OPTIMIZED,
)
from components.object_store import ObjectStore, ObjectStoreArgs
from platformctl.fixtures import NewResource, resource_outputs
from tests.plans import PlanView, in_region, run_offline
from tests.test_storage_object_store import (
    BUCKET,
    POLICY,
    assert_bucket_bar,
    attached,
    statements,
)

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
PEM = (Path(__file__).resolve().parent.parent / "components" / "keys"
       / "cloudfront-signing-placeholder.pub.pem").read_text()
ALB = "internal-api-123.us-east-1.elb.amazonaws.com"
MEDIAPACKAGE = "abc123.egress.mediapackagev2.us-east-1.amazonaws.com"


def plan_cdn(region: str = "us-east-1", **overrides: Any) -> tuple[PlanView, dict[str, Any]]:
    """Assets bucket (default), signed VOD bucket, the API and a live origin behind a Cdn."""
    seen: dict[str, Any] = {}

    def build(opts: pulumi.ResourceOptions) -> None:
        assets = ObjectStore("assets", ObjectStoreArgs(data_class="public-content",
                                                       cloudfront_origin=True), opts=opts)
        vod = ObjectStore("vod", ObjectStoreArgs(data_class="user-content",
                                                 cloudfront_origin=True), opts=opts)
        origins = [
            CdnOrigin.for_store(assets, origin_id="assets"),
            CdnOrigin.for_store(vod, origin_id="vod", role="vod", path_patterns=["/vod/*"]),
            CdnOrigin(origin_id="api", domain_name=ALB, role="api", path_patterns=["/api/*"]),
            CdnOrigin(origin_id="live", domain_name=MEDIAPACKAGE, role="live",
                      path_patterns=["/out/v1/*"], access="mediapackagev2-oac",
                      grant_access=lambda arn: pulumi.Output.from_input(arn).apply(
                          lambda value: seen.setdefault("live_admitted", value))),
        ]
        args = {"origins": origins, "domain_names": ["learn.example.com"],
                "signing_public_key_pem": PEM, **overrides}
        cdn = Cdn("cdn", CdnArgs(**args), opts=opts)
        seen["cdn"] = cdn

    return run_offline(in_region(region, build)), seen


@pytest.fixture(scope="module")
def cloudfront() -> tuple[PlanView, dict[str, Any]]:
    return plan_cdn()


def distribution_arn(distribution: dict[str, Any]) -> str:
    """The ARN the offline fixtures give this distribution, computed from its URN."""
    _, state = resource_outputs(NewResource(
        type=distribution["type"], name=distribution["name"], urn=distribution["urn"],
        inputs={}, region=distribution["region"]))
    assert state["arn"].startswith("arn:aws:cloudfront::123456789012:distribution/")
    return state["arn"]


def behaviours(distribution: dict[str, Any]) -> dict[str, dict[str, Any]]:
    props = distribution["props"]
    found = {"default": props["defaultCacheBehavior"]}
    found.update({b["pathPattern"]: b for b in props["orderedCacheBehaviors"]})
    return found


def test_bucket_policy_admits_only_this_distribution_through_oac(cloudfront) -> None:
    plan, seen = cloudfront
    distribution = plan.one(DISTRIBUTION)
    expected_arn = distribution_arn(distribution)
    for store in ("assets", "vod"):
        [policy] = attached(plan, plan.named(f"{store}-bucket"), POLICY)
        oac = [s for s in statements(policy) if s["Principal"] == {
            "Service": "cloudfront.amazonaws.com"}]
        assert len(oac) == 1, store
        assert oac[0]["Condition"]["StringEquals"]["AWS:SourceArn"] == expected_arn, store
        assert distribution["urn"] in policy["dependencies"]
    # The live origin is granted to this distribution, not to any other.
    assert seen["live_admitted"] == expected_arn
    assert_bucket_bar(plan)


def test_origins_use_oac_never_public_buckets_or_oai(cloudfront) -> None:
    plan, _ = cloudfront
    origins = {o["originId"]: o for o in plan.one(DISTRIBUTION)["props"]["origins"]}
    oacs = {r["props"]["originAccessControlOriginType"]: r
            for r in plan.of_type("aws:cloudfront/originAccessControl:OriginAccessControl")}
    assert set(oacs) == {"s3", "mediapackagev2"}
    for oac in oacs.values():
        assert oac["props"]["signingBehavior"] == "always"
        assert oac["props"]["signingProtocol"] == "sigv4"
    for origin_id in ("assets", "vod", "live"):
        assert origins[origin_id]["originAccessControlId"], origin_id
        assert "s3OriginConfig" not in origins[origin_id]
    assert not plan.of_type("aws:cloudfront/originAccessIdentity:OriginAccessIdentity")
    api = origins["api"]
    assert api["domainName"] == ALB
    assert api["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert api["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]


def test_viewers_use_https_and_tls_1_2_2021(cloudfront) -> None:
    plan, _ = cloudfront
    distribution = plan.one(DISTRIBUTION)
    for pattern, behaviour in behaviours(distribution).items():
        assert behaviour["viewerProtocolPolicy"] == "redirect-to-https", pattern
    certificate = distribution["props"]["viewerCertificate"]
    assert certificate["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert certificate["sslSupportMethod"] == "sni-only"
    assert certificate["acmCertificateArn"].startswith("arn:aws:acm:us-east-1:")
    assert distribution["props"]["aliases"] == ["learn.example.com"]
    acm = plan.one("aws:acm/certificate:Certificate")
    assert acm["region"] == "us-east-1"
    assert acm["props"]["validationMethod"] == "DNS"
    assert plan.one("aws:acm/certificateValidation:CertificateValidation")["region"] == \
        "us-east-1"


def test_signed_urls_on_video_paths_only(cloudfront) -> None:
    plan, _ = cloudfront
    key_group = plan.one("aws:cloudfront/keyGroup:KeyGroup")
    public_key = plan.one("aws:cloudfront/publicKey:PublicKey")
    assert "BEGIN PUBLIC KEY" in public_key["props"]["encodedKey"]
    found = behaviours(plan.one(DISTRIBUTION))
    for pattern in ("/vod/*", "/out/v1/*"):
        assert found[pattern]["trustedKeyGroups"] == [key_group["props"]["name"]], pattern
    for pattern in ("default", "/api/*"):
        assert not found[pattern].get("trustedKeyGroups"), pattern


def test_cache_policies_and_security_headers(cloudfront) -> None:
    plan, _ = cloudfront
    found = behaviours(plan.one(DISTRIBUTION))
    assert found["/api/*"]["cachePolicyId"] == CACHING_DISABLED
    assert found["/api/*"]["originRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert "POST" in found["/api/*"]["allowedMethods"]
    assert found["/vod/*"]["cachePolicyId"] == CACHING_OPTIMIZED
    headers = plan.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    security = headers["props"]["securityHeadersConfig"]
    assert security["strictTransportSecurity"]["accessControlMaxAgeSec"] >= 31_536_000
    assert security["frameOptions"]["frameOption"] == "DENY"
    assert security["contentTypeOptions"]["override"] is True
    assert security["referrerPolicy"]["referrerPolicy"] == "strict-origin-when-cross-origin"
    assert {b["responseHeadersPolicyId"] for b in found.values()} == {headers["props"]["name"]}


def test_web_acl_is_cloudfront_scoped_in_us_east_1(cloudfront) -> None:
    plan, _ = cloudfront
    acl = plan.one("aws:wafv2/webAcl:WebAcl")
    assert acl["props"]["scope"] == "CLOUDFRONT"
    # Global in the plan, created through the us-east-1 provider as AWS requires.
    assert acl["region"] == "global"
    provider = next(r for r in plan.resources if r["urn"] == acl["provider"])
    assert provider["props"]["region"] == "us-east-1"
    groups = [r["statement"]["managedRuleGroupStatement"]["name"] for r in acl["props"]["rules"]
              if "managedRuleGroupStatement" in r["statement"]]
    assert groups == ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                      "AWSManagedRulesAmazonIpReputationList"]
    [rate] = [r for r in acl["props"]["rules"] if "rateBasedStatement" in r["statement"]]
    assert rate["statement"]["rateBasedStatement"]["limit"] == 2000
    assert rate["action"] == {"block": {}}
    assert plan.one(DISTRIBUTION)["props"]["webAclId"].startswith("arn:aws:wafv2:us-east-1:")


def test_logging_goes_to_a_bucket_in_the_stack_region() -> None:
    plan, seen = plan_cdn(region="me-south-1")
    log_bucket = plan.named("cdn-logs-bucket")
    assert log_bucket["region"] == "me-south-1"
    assert log_bucket["props"]["tags"]["data-class"] == "telemetry"
    distribution = plan.one(DISTRIBUTION)
    logging = distribution["props"]["loggingConfig"]
    assert logging["bucket"].startswith("cdn-logs-bucket")
    # Created after the log bucket's ownership controls and ACL (logging checks the ACL).
    acl = plan.one("aws:s3/bucketAcl:BucketAcl")
    assert acl["urn"] in distribution["dependencies"]
    assert logging["bucket"].endswith(".s3.amazonaws.com")
    # The us-east-1-only pieces stay in us-east-1 even from a me-south-1 stack.
    assert plan.one("aws:wafv2/webAcl:WebAcl")["region"] == "global"  # created via us-east-1
    assert plan.one("aws:acm/certificate:Certificate")["region"] == "us-east-1"
    [monitored] = seen["cdn"].monitored
    assert monitored.kind == "cloudfront"
    assert monitored.dimensions["Region"] == "Global"


def test_price_class_and_geo_restriction() -> None:
    plan, _ = plan_cdn(price_class="PriceClass_100", geo_restriction="whitelist",
                       geo_locations=["US", "CA"], logging=False)
    props = plan.one(DISTRIBUTION)["props"]
    assert props["priceClass"] == "PriceClass_100"
    assert props["restrictions"]["geoRestriction"] == {"restrictionType": "whitelist",
                                                       "locations": ["US", "CA"]}
    assert "loggingConfig" not in props


def test_existing_certificate_is_used_as_given() -> None:
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/existing"
    plan, _ = plan_cdn(certificate_arn=arn)
    assert not plan.of_type("aws:acm/certificate:Certificate")
    assert plan.one(DISTRIBUTION)["props"]["viewerCertificate"]["acmCertificateArn"] == arn


def _origin(origin_id: str, patterns: list[str], role: str = "api") -> CdnOrigin:
    return CdnOrigin(origin_id=origin_id, domain_name=ALB, role=role,  # type: ignore[arg-type]
                     path_patterns=patterns)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"domain_names": []}, r"^domain_names: empty; CloudFront's default certificate"),
    ({"signing_public_key_pem": None}, r"^signing_public_key_pem: missing"),
    ({"signing_public_key_pem": "-----BEGIN RSA PRIVATE KEY-----"},
     r"^signing_public_key_pem: not a PEM public key"),
    ({"origins": [_origin("a", []), _origin("b", [])]}, r"^origins: 2 origins without"),
    ({"origins": [_origin("a", []), _origin("b", ["/x/*"]), _origin("c", ["/x/*"])]},
     r"^origins: a path pattern is routed to two origins"),
    ({"origins": [_origin("a", []), _origin("a", ["/x/*"])]}, r"^origins: origin ids repeat"),
    ({"rate_limit_per_5_minutes": 10}, r"^rate_limit_per_5_minutes: 10 is below"),
    ({"geo_restriction": "whitelist"}, r"^geo_locations: must be given"),
    ({"zone_id": "z"}, r"^zone_id: only applies to kind 'cloudflare'"),
])
def test_cloudfront_args_validation(overrides: dict[str, Any], message: str) -> None:
    args = {"origins": [_origin("api", []), _origin("vod", ["/vod/*"], role="vod")],
            "domain_names": ["learn.example.com"], "signing_public_key_pem": PEM, **overrides}
    with pytest.raises(ValueError, match=message):
        CdnArgs(**args)


def test_oac_origin_without_a_grant_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^grant_access: origin 'live' uses mediapackagev2-oac"):
        CdnOrigin(origin_id="live", domain_name=MEDIAPACKAGE, role="live",
                  access="mediapackagev2-oac")


def test_store_not_built_for_cloudfront_is_refused() -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        store = ObjectStore("content", ObjectStoreArgs(data_class="user-content"), opts=opts)
        with pytest.raises(ValueError, match="cloudfront_origin=True"):
            CdnOrigin.for_store(store, origin_id="content")

    run_offline(in_region("us-east-1", build))


def test_policy_json_is_valid_for_every_bucket(cloudfront) -> None:
    plan, _ = cloudfront
    buckets = plan.of_type(BUCKET)
    assert buckets
    for bucket in buckets:
        [policy] = attached(plan, bucket, POLICY)
        document = json.loads(policy["props"]["policy"])
        assert document["Version"] == "2012-10-17", bucket["name"]
        assert isinstance(document["Statement"], list) and document["Statement"], bucket["name"]
    assert len(plan.of_type(POLICY)) == len(buckets)


def test_certificate_validation_records_go_to_route53_when_a_zone_is_given() -> None:
    plan, _ = plan_cdn(route53_zone_id="Z0123456789ABC")
    [record] = plan.of_type("aws:route53/record:Record")
    assert record["props"]["zoneId"] == "Z0123456789ABC"
    assert record["props"]["type"] == "CNAME"
    assert record["props"]["name"].endswith(".learn.example.com.")
    validation = plan.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation["props"]["validationRecordFqdns"] == [record["props"]["name"].rstrip(".")]


@pytest.mark.parametrize("domains", [["*.learn.example.com"],
                                     ["*.learn.example.com", "learn.example.com"]])
def test_wildcard_domains_get_one_validation_record_per_name(domains: list[str]) -> None:
    plan, _ = plan_cdn(route53_zone_id="Z0123456789ABC", domain_names=domains)
    [record] = plan.of_type("aws:route53/record:Record")
    assert record["name"] == "cdn-certificate-validation-0"
    assert record["props"]["name"].endswith(".learn.example.com.")
    assert "*" not in record["props"]["name"]
    validation = plan.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation["props"]["validationRecordFqdns"] == [record["props"]["name"].rstrip(".")]


def test_legacy_logging_into_an_opt_in_region_is_refused() -> None:
    origins = [_origin("api", [])]
    with pytest.raises(ValueError, match=r"^logging: CloudFront standard logging \(legacy\) "
                                         r"cannot deliver to buckets in me-south-1"):
        CdnArgs(origins=origins, domain_names=["learn.example.com"], log_region="me-south-1")
    assert not CdnArgs(origins=origins, domain_names=["learn.example.com"],
                       log_region="me-south-1", logging=False).logging
    CdnArgs(origins=origins, domain_names=["learn.example.com"], log_region="us-east-1")


def test_account_scoped_names_carry_the_stack(cloudfront) -> None:
    """OAC, key group, public key and response-headers policy names are unique per account:
    two stacks of one account must not share them."""
    plan, _ = cloudfront
    for type_token in ("aws:cloudfront/originAccessControl:OriginAccessControl",
                       "aws:cloudfront/keyGroup:KeyGroup", "aws:cloudfront/publicKey:PublicKey",
                       "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"):
        for resource in plan.of_type(type_token):
            assert resource["props"]["name"].startswith("test-"), resource["props"]["name"]
