"""The CloudFront half of components/cdn.py (see its docstring for the design)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from components.labels import child_name, physical_name, resource_tags
from components.monitoring import MonitoredResource
from components.object_store import LogBucket, LogBucketArgs
from components.waf import CLOUDFRONT_REGION, managed_web_acl

if TYPE_CHECKING:
    from components.cdn import Cdn, CdnArgs, CdnOrigin

# Managed policies by their documented, stable ids (no invoke needed).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ELEMENTAL_MEDIAPACKAGE_CACHE = "08627262-05a9-4f76-9ded-b50ca2e3a84f"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
CORS_S3_ORIGIN = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"
MINIMUM_PROTOCOL_VERSION = "TLSv1.2_2021"
READ_METHODS = ["GET", "HEAD"]
CORS_READ_METHODS = ["GET", "HEAD", "OPTIONS"]
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]

# role -> (cache policy, origin request policy, allowed methods)
BEHAVIOURS: dict[str, tuple[str, str | None, list[str]]] = {
    "static": (CACHING_OPTIMIZED, None, READ_METHODS),
    "api": (CACHING_DISABLED, ALL_VIEWER_EXCEPT_HOST_HEADER, ALL_METHODS),
    "live": (ELEMENTAL_MEDIAPACKAGE_CACHE, None, CORS_READ_METHODS),
    "vod": (CACHING_OPTIMIZED, CORS_S3_ORIGIN, CORS_READ_METHODS),
}


def _certificate(cdn: Cdn, name: str, args: CdnArgs) -> pulumi.Input[str]:
    if args.certificate_arn is not None:
        return args.certificate_arn
    child = pulumi.ResourceOptions(parent=cdn)
    cert_name = child_name(name, "certificate")
    domains = list(dict.fromkeys(args.domain_names))
    certificate = aws.acm.Certificate(
        cert_name, region=CLOUDFRONT_REGION, domain_name=domains[0],
        subject_alternative_names=domains[1:], validation_method="DNS",
        key_algorithm="RSA_2048", tags=resource_tags(cert_name),
        opts=pulumi.ResourceOptions(parent=cdn, replace_on_changes=["subjectAlternativeNames"]))
    options = certificate.domain_validation_options.apply(
        lambda opts: sorted(opts or [], key=lambda o: o.domain_name))
    cdn.certificate_validation_records = options.apply(lambda opts: [
        {"name": o.resource_record_name, "type": o.resource_record_type,
         "value": o.resource_record_value} for o in opts])
    fqdns: list[pulumi.Input[str]] = []
    if args.route53_zone_id is not None:
        # One record per distinct name: the count is known from the plain domain list. ACM
        # validates `*.d` with d's record; names only given as wildcards come last, so
        # adding one leaves the indexes of the others unchanged.
        plain = [d for d in domains if not d.startswith("*.")]
        wildcard_bases = [d.removeprefix("*.") for d in domains if d.startswith("*.")]
        for index, domain in enumerate(dict.fromkeys([*plain, *wildcard_bases])):
            record = aws.route53.Record(
                child_name(name, f"certificate-validation-{index}"),
                zone_id=args.route53_zone_id,
                name=options.apply(lambda o, d=domain: _option(o, d).resource_record_name),
                type=options.apply(lambda o, d=domain: _option(o, d).resource_record_type),
                records=[options.apply(lambda o, d=domain: _option(o, d).resource_record_value)],
                ttl=300, allow_overwrite=True, opts=child)
            fqdns.append(record.fqdn)
    validation = aws.acm.CertificateValidation(
        child_name(name, "certificate-validation"), region=CLOUDFRONT_REGION,
        certificate_arn=certificate.arn, validation_record_fqdns=fqdns or None, opts=child)
    return validation.certificate_arn


def _option(options: list[Any], domain: str) -> Any:
    for option in options:
        if option.domain_name in (domain, f"*.{domain}"):
            return option
    raise ValueError(f"certificate: no validation option for {domain}")


def _security_headers(cdn: Cdn, name: str) -> aws.cloudfront.ResponseHeadersPolicy:
    return aws.cloudfront.ResponseHeadersPolicy(
        child_name(name, "security-headers"),
        name=physical_name(name, "security-headers", limit=128),
        comment=f"{name}: HSTS, nosniff, frame and referrer policies",
        security_headers_config={
            "strict_transport_security": {"access_control_max_age_sec": 63_072_000,
                                          "include_subdomains": True, "preload": True,
                                          "override": True},
            "content_type_options": {"override": True},
            "frame_options": {"frame_option": "DENY", "override": True},
            "referrer_policy": {"referrer_policy": "strict-origin-when-cross-origin",
                                "override": True},
            "xss_protection": {"protection": True, "mode_block": True, "override": True},
        },
        opts=pulumi.ResourceOptions(parent=cdn))


# Origin responses that make an origin group try its failover member (CloudFront accepts
# 403, 404, 500, 502, 503, 504).
FAILOVER_STATUS_CODES = [403, 404, 500, 502, 503, 504]


def _group_id(origin: CdnOrigin) -> str:
    return f"{origin.origin_id}-group"


def _origins(origin: CdnOrigin, oac_ids: dict[str, pulumi.Output[str]]) -> list[dict[str, Any]]:
    """The origin, and its failover copy when it has one."""
    primary = _origin(origin, oac_ids, origin.origin_id, origin.domain_name)
    if origin.failover_domain_name is None:
        return [primary]
    return [primary, _origin(origin, oac_ids, f"{origin.origin_id}-failover",
                             origin.failover_domain_name)]


def _origin_group(origin: CdnOrigin) -> dict[str, Any]:
    return {"origin_id": _group_id(origin),
            "failover_criteria": {"status_codes": FAILOVER_STATUS_CODES},
            "members": [{"origin_id": origin.origin_id},
                        {"origin_id": f"{origin.origin_id}-failover"}]}


def _origin(origin: CdnOrigin, oac_ids: dict[str, pulumi.Output[str]], origin_id: str,
            domain_name: pulumi.Input[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"origin_id": origin_id, "domain_name": domain_name}
    if origin.origin_path:
        spec["origin_path"] = origin.origin_path
    if origin.access == "https":
        spec["custom_origin_config"] = {
            "http_port": 80, "https_port": 443, "origin_protocol_policy": "https-only",
            "origin_ssl_protocols": ["TLSv1.2"], "origin_read_timeout": 30,
            "origin_keepalive_timeout": 5}
    else:
        spec["origin_access_control_id"] = oac_ids[origin.access]
        if origin.access == "mediapackagev2-oac":
            spec["custom_origin_config"] = {
                "http_port": 80, "https_port": 443, "origin_protocol_policy": "https-only",
                "origin_ssl_protocols": ["TLSv1.2"]}
    return spec


def _behaviour(origin: CdnOrigin, args: CdnArgs, headers_id: pulumi.Output[str],
               key_group_id: pulumi.Output[str] | None,
               path_pattern: str | None) -> dict[str, Any]:
    cache_policy, request_policy, methods = BEHAVIOURS[origin.role]
    behaviour: dict[str, Any] = {
        "target_origin_id": (origin.origin_id if origin.failover_domain_name is None
                             else _group_id(origin)),
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": methods,
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": cache_policy,
        "response_headers_policy_id": headers_id,
        "compress": True,
    }
    if path_pattern is not None:
        behaviour["path_pattern"] = path_pattern
    if request_policy is not None:
        behaviour["origin_request_policy_id"] = request_policy
    if args.is_signed(origin):
        assert key_group_id is not None
        behaviour["trusted_key_groups"] = [key_group_id]
    return behaviour


def build_cloudfront(cdn: Cdn, name: str, args: CdnArgs) -> None:
    child = pulumi.ResourceOptions(parent=cdn)
    oac_ids: dict[str, pulumi.Output[str]] = {}
    for access, origin_type in (("s3-oac", "s3"), ("mediapackagev2-oac", "mediapackagev2")):
        if any(o.access == access for o in args.origins):
            oac_name = child_name(name, f"oac-{origin_type}")
            oac_ids[access] = aws.cloudfront.OriginAccessControl(
                oac_name, name=physical_name(name, f"oac-{origin_type}"),
                description=f"{name}: signed requests to {origin_type}",
                origin_access_control_origin_type=origin_type,
                signing_behavior="always", signing_protocol="sigv4", opts=child).id

    key_group_id = None
    if any(args.is_signed(o) for o in args.origins):
        public_key = aws.cloudfront.PublicKey(
            child_name(name, "signing-key"), name=physical_name(name, "signing-key", limit=128),
            comment=f"{name}: verifies signed video URLs",
            encoded_key=args.signing_public_key_pem, opts=child)
        key_group = aws.cloudfront.KeyGroup(
            child_name(name, "key-group"), name=physical_name(name, "key-group", limit=128),
            comment=f"{name}: signers trusted on video paths", items=[public_key.id], opts=child)
        key_group_id = key_group.id
        cdn.key_group_id = key_group.id

    headers = _security_headers(cdn, name)
    web_acl = managed_web_acl(cdn, name, scope="CLOUDFRONT",
                              rate_limit_per_5_minutes=args.rate_limit_per_5_minutes,
                              description=f"{name}: AWS managed rules and a per-IP rate limit")
    certificate_arn = _certificate(cdn, name, args)

    logging_config = None
    log_bucket: LogBucket | None = None
    if args.logging:
        log_bucket = LogBucket(child_name(name, "logs"), LogBucketArgs(
            purpose="cloudfront", retention_days=args.log_retention_days, protect=args.protect),
            opts=child)
        cdn.log_bucket_name = log_bucket.bucket_name
        logging_config = {"bucket": log_bucket.bucket_domain_name, "prefix": "cloudfront/",
                          "include_cookies": False}

    default = next(o for o in args.origins if not o.path_patterns)
    ordered = [_behaviour(o, args, headers.id, key_group_id, pattern)
               for o in args.origins for pattern in o.path_patterns]
    restriction: dict[str, Any] = {"restriction_type": args.geo_restriction}
    if args.geo_locations:
        restriction["locations"] = list(args.geo_locations)
    dist_name = child_name(name, "distribution")
    distribution = aws.cloudfront.Distribution(
        dist_name,
        enabled=True,
        is_ipv6_enabled=True,
        http_version="http2and3",
        comment=f"{name}: content, API and video",
        aliases=list(args.domain_names),
        price_class=args.price_class,
        web_acl_id=web_acl.arn,
        origins=[spec for o in args.origins for spec in _origins(o, oac_ids)],
        origin_groups=[_origin_group(o) for o in args.origins
                       if o.failover_domain_name is not None] or None,
        default_cache_behavior=_behaviour(default, args, headers.id, key_group_id, None),
        ordered_cache_behaviors=ordered,
        default_root_object="index.html" if default.role == "static" else None,
        viewer_certificate={"acm_certificate_arn": certificate_arn,
                            "ssl_support_method": "sni-only",
                            "minimum_protocol_version": MINIMUM_PROTOCOL_VERSION},
        restrictions={"geo_restriction": restriction},
        logging_config=logging_config,
        tags=resource_tags(dist_name),
        # Logging checks the bucket's ACL: wait for the LogBucket (ownership, then ACL).
        opts=pulumi.ResourceOptions(parent=cdn,
                                    depends_on=[log_bucket] if log_bucket is not None else []))
    for origin in args.origins:
        if origin.grant_access is not None:
            origin.grant_access(distribution.arn)
    cdn.distribution_id = distribution.id
    cdn.distribution_arn = distribution.arn
    cdn.domain_name = distribution.domain_name
    cdn.web_acl_arn = web_acl.arn
    cdn.monitored.append(MonitoredResource(
        kind="cloudfront", name=dist_name,
        dimensions={"DistributionId": distribution.id, "Region": "Global"},
        region=CLOUDFRONT_REGION))
