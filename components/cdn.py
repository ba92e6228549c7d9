"""Cdn: one interface over CloudFront and Cloudflare, chosen by `kind`.

Origins are a list of typed `CdnOrigin`s so a caller adds what it has: the content bucket
(`CdnOrigin.for_store`), the API's load balancer (`role="api"`), a MediaPackage v2 live
channel (`role="live"`, `access="mediapackagev2-oac"`) or a VOD output bucket
(`role="vod"`). Exactly one origin has no path patterns: it serves the default behaviour.

CloudFront (components/cdn_cloudfront.py): OAC (sigv4, always) for S3 and MediaPackage v2
origins, each origin's `grant_access` called with the distribution ARN afterwards (for an
ObjectStore: `allow_cloudfront`, which writes the bucket policy's OAC statement with
`AWS:SourceArn` = the distribution); redirect-to-https on every behaviour; an ACM
certificate in us-east-1 and TLSv1.2_2021; managed cache / origin-request policies by
their well-known ids; a security-headers response policy; a WAFv2 web ACL (CLOUDFRONT
scope, us-east-1); signed URLs through a PublicKey + KeyGroup trusted on the video
behaviours; standard logs to a LogBucket in the stack's region (ACLs on: see
components/object_store.py); price class and geo restriction.

Cloudflare (components/cdn_cloudflare.py): zone settings (SSL full-strict, TLS 1.2+, TLS 1.3,
always HTTPS), proxied DNS records to the origins, the Cloudflare Managed Ruleset, a
rate-limit ruleset, cache rules for video segments, (smart) tiered cache, and token-protected
video paths (a custom WAF rule with `is_timed_hmac_valid_v0`, the secret kept secret).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi

from components.monitoring import MonitoredResource
from components.object_store import ObjectStore

Kind = Literal["cloudfront", "cloudflare"]
KINDS: tuple[str, ...] = ("cloudfront", "cloudflare")
OriginRole = Literal["static", "api", "live", "vod"]
ROLES: tuple[str, ...] = ("static", "api", "live", "vod")
VIDEO_ROLES: tuple[str, ...] = ("live", "vod")
OriginAccess = Literal["s3-oac", "mediapackagev2-oac", "https"]
ACCESSES: tuple[str, ...] = ("s3-oac", "mediapackagev2-oac", "https")
PriceClass = Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]
PRICE_CLASSES: tuple[str, ...] = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
GeoRestriction = Literal["none", "whitelist", "blacklist"]
# Opt-in regions CloudFront standard logging (legacy) does not deliver to (CloudFront
# Developer Guide, "Choosing an Amazon S3 bucket for your standard logs").
LEGACY_LOG_UNSUPPORTED_REGIONS: tuple[str, ...] = (
    "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ca-west-1",
    "eu-south-1", "eu-south-2", "eu-central-2", "il-central-1", "me-central-1", "me-south-1")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PATH_PATTERN = re.compile(r"^/[A-Za-z0-9_./*-]*$")
_PREFIX_PATTERN = re.compile(r"^/[A-Za-z0-9_./-]*/\*$")


@dataclass(frozen=True, kw_only=True)
class CdnOrigin:
    origin_id: str
    """Unique id of the origin in the distribution (`content`, `api`, `live`, ...)."""
    domain_name: pulumi.Input[str]
    """Origin host: an S3 regional domain, the ALB DNS name, a MediaPackage egress domain."""
    role: OriginRole
    """`static` (cached, GET/HEAD), `api` (no caching, all methods and viewer headers),
    `live` / `vod` (video: cached segments, signed URLs)."""
    path_patterns: list[str] = field(default_factory=list)
    """Path patterns routed here (`/api/*`); empty = the default behaviour (one origin)."""
    access: OriginAccess = "https"
    """`s3-oac` (S3 through OAC), `mediapackagev2-oac` (MediaPackage v2 through OAC) or
    `https` (custom origin, https-only, TLSv1.2)."""
    origin_path: str = ""
    """Prefix CloudFront adds to origin requests; empty by default."""
    signed: bool | None = None
    """Require signed URLs/cookies (CloudFront key group; Cloudflare HMAC token); None
    (default) = yes for video roles when CdnArgs.signed_urls is on."""
    grant_access: Callable[[pulumi.Output[str]], Any] | None = None
    """Called once with the distribution ARN after it exists, to admit it at the origin (an
    ObjectStore's `allow_cloudfront`, a LiveChannel's `admit_cdn`); None for public origins."""
    hostname: str | None = None
    """Cloudflare: the proxied hostname in the zone pointing at `domain_name` (None = no DNS
    record, e.g. an R2 custom domain that made its own)."""
    failover_domain_name: pulumi.Input[str] | None = None
    """CloudFront: the same content in another region (a DR copy, same access); an origin
    group retries it when `domain_name` answers 5xx, 403 or 404. Video roles only (origin
    groups serve GET and HEAD). None (default) = no failover origin."""

    def __post_init__(self) -> None:
        if not re.match(r"^[A-Za-z0-9_-]{1,64}$", self.origin_id):
            raise ValueError(f"origin_id: '{self.origin_id}' must be 1-64 letters, digits, "
                             "'-' or '_'; e.g. api")
        if self.role not in ROLES:
            raise ValueError(f"role: '{self.role}' is unknown; use one of {', '.join(ROLES)}")
        if self.access not in ACCESSES:
            raise ValueError(f"access: '{self.access}' is unknown; use one of "
                             f"{', '.join(ACCESSES)}")
        for pattern in self.path_patterns:
            if not _PATH_PATTERN.match(pattern):
                raise ValueError(f"path_patterns: '{pattern}' is not a path pattern; write it "
                                 "like /api/*")
        if self.hostname is not None and not _HOSTNAME.match(self.hostname):
            raise ValueError(f"hostname: '{self.hostname}' is not a DNS name; write it like "
                             "api.example.com")
        if self.failover_domain_name is not None and self.role not in VIDEO_ROLES:
            raise ValueError(f"failover_domain_name: origin '{self.origin_id}' is {self.role}; "
                             "origin groups serve GET/HEAD only, so fail an API over in DNS")
        if self.access != "https" and self.grant_access is None:
            raise ValueError(f"grant_access: origin '{self.origin_id}' uses {self.access} but "
                             "nothing admits the distribution; pass the origin's grant callback "
                             "(e.g. CdnOrigin.for_store)")

    @classmethod
    def for_store(cls, store: ObjectStore, *, origin_id: str, role: OriginRole = "static",
                  path_patterns: list[str] | None = None, signed: bool | None = None,
                  hostname: str | None = None) -> CdnOrigin:
        """An S3 ObjectStore (built with `cloudfront_origin=True`) behind OAC, whose bucket
        policy is written when the distribution exists; or an R2 store on Cloudflare (its
        custom domain is the origin)."""
        if store.kind == "r2":
            if store.custom_domain is None:
                raise ValueError(f"{origin_id}: R2 store has no custom domain; give it "
                                 "r2_custom_domain so the CDN can serve it")
            return cls(origin_id=origin_id, domain_name=store.custom_domain, role=role,
                       path_patterns=list(path_patterns or []), signed=signed,
                       hostname=hostname)
        if not store.args.cloudfront_origin:
            raise ValueError(f"{origin_id}: the ObjectStore was not built with "
                             "cloudfront_origin=True; set it so its key admits CloudFront and "
                             "its policy waits for the distribution")
        assert store.bucket_regional_domain_name is not None
        return cls(origin_id=origin_id, domain_name=store.bucket_regional_domain_name,
                   role=role, path_patterns=list(path_patterns or []), access="s3-oac",
                   signed=signed, hostname=hostname,
                   grant_access=lambda arn: store.allow_cloudfront([arn]))


def cloudflare_host(origin: CdnOrigin) -> str | None:
    """The zone hostname an origin answers on: its `hostname`, else a plain `domain_name`
    (an R2 custom domain is both the origin and the viewer host)."""
    if origin.hostname is not None:
        return origin.hostname
    return origin.domain_name if isinstance(origin.domain_name, str) else None


@dataclass(frozen=True, kw_only=True)
class CdnArgs:
    origins: list[CdnOrigin]
    """The origins and their path patterns. CloudFront: exactly one without patterns (the
    default behaviour). Cloudflare: each answers on its own hostname (patterns narrow it)."""
    kind: Kind = "cloudfront"
    """`cloudfront` (default) or `cloudflare`."""
    domain_names: list[str] = field(default_factory=list)
    """Viewer hostnames. CloudFront: aliases on the certificate (required: the default
    cloudfront.net certificate cannot enforce TLSv1.2_2021). Cloudflare: names in the zone."""
    certificate_arn: pulumi.Input[str] | None = None
    """CloudFront: an existing ACM certificate in us-east-1; None (default) = create one with
    DNS validation."""
    route53_zone_id: str | None = None
    """CloudFront: Route 53 zone to write the certificate's validation records into; None =
    the records are an output (`certificate_validation_records`) for the DNS owner."""
    price_class: PriceClass = "PriceClass_All"
    """CloudFront edge locations; all (default) for the lowest latency everywhere."""
    geo_restriction: GeoRestriction = "none"
    """CloudFront geo restriction: none (default), whitelist or blacklist of `geo_locations`."""
    geo_locations: list[str] = field(default_factory=list)
    """ISO 3166-1 alpha-2 country codes of the geo restriction."""
    rate_limit_per_5_minutes: int = 2000
    """Requests one client IP may make in 5 minutes before it is blocked (WAF rate rule)."""
    signed_urls: bool = True
    """Video behaviours require signed URLs (default on)."""
    signing_public_key_pem: str | None = None
    """CloudFront: PEM public key of the URL-signing key pair (public, not secret); required
    when any behaviour is signed."""
    logging: bool = True
    """CloudFront: standard logs to a LogBucket created in the stack's region (default on)."""
    log_region: str | None = None
    """CloudFront: region of the standard-log bucket (the stack's, i.e. the provider's), used
    to refuse regions legacy standard logging cannot deliver to; None = not checked."""
    log_retention_days: int = 365
    """CloudFront: expiry of the standard logs."""
    protect: bool = True
    """Pulumi `protect` on the log bucket."""
    zone_id: pulumi.Input[str] | None = None
    """Cloudflare: the zone id (stack config platform:cloudflareZoneId)."""
    hmac_secret: pulumi.Input[str] | None = None
    """Cloudflare: shared secret of the timed-HMAC token on signed paths (a Pulumi secret)."""
    token_lifetime_seconds: int = 10_800
    """Cloudflare: how long a video token stays valid (3 hours by default: one lesson)."""
    segment_cache_seconds: int = 86_400
    """Cloudflare: edge TTL of video segments (immutable, so a day by default)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind: '{self.kind}' is unknown; use one of {', '.join(KINDS)}")
        if not self.origins:
            raise ValueError("origins: empty; give at least the default origin")
        ids = [o.origin_id for o in self.origins]
        if len(set(ids)) != len(ids):
            raise ValueError(f"origins: origin ids repeat ({', '.join(ids)}); make them unique")
        routes = [(cloudflare_host(o) if self.kind == "cloudflare" else None, p)
                  for o in self.origins
                  for p in o.path_patterns or (["*"] if self.kind == "cloudflare" else [])]
        if len(set(routes)) != len(routes):
            raise ValueError("origins: a path pattern is routed to two origins; route each once")
        for name in self.domain_names:
            if not _HOSTNAME.match(name):
                raise ValueError(f"domain_names: '{name}' is not a DNS name; write it like "
                                 "learn.example.com")
        if self.rate_limit_per_5_minutes < 100:
            raise ValueError(f"rate_limit_per_5_minutes: {self.rate_limit_per_5_minutes} is "
                             "below WAF's minimum of 100; use 100 or more")
        if self.geo_restriction not in ("none", "whitelist", "blacklist"):
            raise ValueError(f"geo_restriction: '{self.geo_restriction}' is unknown; use none, "
                             "whitelist or blacklist")
        if (self.geo_restriction == "none") != (not self.geo_locations):
            raise ValueError("geo_locations: must be given exactly when geo_restriction is "
                             "whitelist or blacklist; set both or neither")
        for code in self.geo_locations:
            if not re.match(r"^[A-Z]{2}$", code):
                raise ValueError(f"geo_locations: '{code}' is not an ISO country code; write "
                                 "it like US")
        if self.kind == "cloudfront":
            self._check_cloudfront()
        else:
            self._check_cloudflare()

    def is_signed(self, origin: CdnOrigin) -> bool:
        if origin.signed is not None:
            return origin.signed and self.signed_urls
        return self.signed_urls and origin.role in VIDEO_ROLES

    def _check_cloudfront(self) -> None:
        defaults = [o.origin_id for o in self.origins if not o.path_patterns]
        if len(defaults) != 1:
            raise ValueError(f"origins: {len(defaults)} origins without path_patterns "
                             f"({', '.join(defaults) or 'none'}); exactly one serves the default "
                             "behaviour")
        if self.price_class not in PRICE_CLASSES:
            raise ValueError(f"price_class: '{self.price_class}' is unknown; use one of "
                             f"{', '.join(PRICE_CLASSES)}")
        if not self.domain_names:
            raise ValueError("domain_names: empty; CloudFront's default certificate cannot "
                             "enforce TLSv1.2_2021, so give the viewer hostname(s)")
        if self.logging and self.log_region in LEGACY_LOG_UNSUPPORTED_REGIONS:
            raise ValueError(f"logging: CloudFront standard logging (legacy) cannot deliver to "
                             f"buckets in {self.log_region} (an opt-in region), and logging "
                             "elsewhere would leave the jurisdiction; set logging=False "
                             "(profile cdn.logging) for this stack")
        if any(self.is_signed(o) for o in self.origins) and not self.signing_public_key_pem:
            raise ValueError("signing_public_key_pem: missing while video paths are signed; "
                             "give the public key PEM (components/keys/README.md)")
        if self.signing_public_key_pem is not None and \
                "BEGIN PUBLIC KEY" not in self.signing_public_key_pem:
            raise ValueError("signing_public_key_pem: not a PEM public key; give the "
                             "'-----BEGIN PUBLIC KEY-----' block (never the private key)")
        for key in ("zone_id", "hmac_secret"):
            if getattr(self, key) is not None:
                raise ValueError(f"{key}: only applies to kind 'cloudflare'; remove it")

    def _check_cloudflare(self) -> None:
        if self.zone_id is None:
            raise ValueError("zone_id: missing; pass the Cloudflare zone id (stack config "
                             "platform:cloudflareZoneId)")
        if any(self.is_signed(o) for o in self.origins) and self.hmac_secret is None:
            raise ValueError("hmac_secret: missing while video paths are token-protected; pass "
                             "the secret from config (platform:cloudflareVideoTokenSecret)")
        for origin in self.origins:
            if origin.access != "https" and origin.access != "s3-oac":
                raise ValueError(f"origins: '{origin.origin_id}' uses {origin.access}, which "
                                 "only CloudFront can sign; use an https origin on Cloudflare")
            if origin.access == "s3-oac":
                raise ValueError(f"origins: '{origin.origin_id}' is a private S3 bucket (OAC); "
                                 "Cloudflare cannot sign to S3, so serve R2 or use CloudFront")
            if cloudflare_host(origin) is None:
                raise ValueError(f"origins: '{origin.origin_id}' has no hostname; Cloudflare "
                                 "routes by host, so give it one in the zone")
            for pattern in origin.path_patterns:
                if not _PREFIX_PATTERN.match(pattern):
                    raise ValueError(f"path_patterns: '{pattern}' is not a '/prefix/*' pattern, "
                                     "the only form the Cloudflare rules express; rewrite it")
        for key in ("certificate_arn", "route53_zone_id", "signing_public_key_pem"):
            if getattr(self, key) is not None:
                raise ValueError(f"{key}: only applies to kind 'cloudfront'; remove it")


class Cdn(pulumi.ComponentResource):
    """A CDN in front of the origins: CloudFront (with WAF, OAC, signed video) or Cloudflare
    (with zone hardening, WAF, cache rules and HMAC-token video)."""

    kind: str
    """`cloudfront` or `cloudflare`."""
    domain_name: pulumi.Output[str]
    """Where viewers go: the distribution's cloudfront.net name, or the first domain name."""
    distribution_id: pulumi.Output[str] | None
    """CloudFront: the distribution id; None on Cloudflare."""
    distribution_arn: pulumi.Output[str] | None
    """CloudFront: the distribution ARN (the OAC SourceArn); None on Cloudflare."""
    web_acl_arn: pulumi.Output[str] | None
    """CloudFront: the WAFv2 web ACL (us-east-1); None on Cloudflare."""
    key_group_id: pulumi.Output[str] | None
    """CloudFront: the key group trusted on signed behaviours; None without signed paths."""
    log_bucket_name: pulumi.Output[str] | None
    """CloudFront: the standard-log bucket; None without logging or on Cloudflare."""
    certificate_validation_records: pulumi.Output[list[dict[str, str]]] | None
    """CloudFront with a created certificate: the DNS records that validate it."""
    ruleset_ids: dict[str, pulumi.Output[str]]
    """Cloudflare: phase -> ruleset id; empty on CloudFront."""
    monitored: list[MonitoredResource]
    """CloudFront: the distribution (kind `cloudfront`, DistributionId, Region=Global)."""

    def __init__(self, name: str, args: CdnArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:cdn:Cdn", name, None, opts)
        self._name = name
        self.args = args
        self.kind = args.kind
        self.monitored = []
        self.distribution_id = None
        self.distribution_arn = None
        self.web_acl_arn = None
        self.key_group_id = None
        self.log_bucket_name = None
        self.certificate_validation_records = None
        self.ruleset_ids = {}
        if args.kind == "cloudfront":
            from components.cdn_cloudfront import build_cloudfront
            build_cloudfront(self, name, args)
        else:
            from components.cdn_cloudflare import build_cloudflare
            build_cloudflare(self, name, args)
        self.register_outputs({
            "domainName": self.domain_name,
            "distributionId": self.distribution_id,
            "distributionArn": self.distribution_arn,
            "webAclArn": self.web_acl_arn,
            "keyGroupId": self.key_group_id,
            "logBucketName": self.log_bucket_name,
            "rulesetIds": self.ruleset_ids,
        })
