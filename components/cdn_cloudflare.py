"""The Cloudflare half of components/cdn.py (see its docstring for the design)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_cloudflare as cloudflare

from components.cdn import VIDEO_ROLES, cloudflare_host
from components.labels import child_name

if TYPE_CHECKING:
    from components.cdn import Cdn, CdnArgs, CdnOrigin

# Cloudflare's documented id of the "Cloudflare Managed Ruleset".
CLOUDFLARE_MANAGED_RULESET = "efb7b8c949ac4650a09736fc376e9aee"
ZONE_SETTINGS: dict[str, str] = {
    "ssl": "strict",              # Full (strict): the origin's certificate is verified
    "min_tls_version": "1.2",
    "tls_1_3": "on",
    "always_use_https": "on",
    "automatic_https_rewrites": "on",
}
SEGMENT_EXTENSIONS = ("ts", "m4s", "mp4", "m4a", "m4v", "aac", "vtt", "webvtt", "cmfv", "cmfa")
MANIFEST_EXTENSIONS = ("m3u8", "mpd")
MANIFEST_CACHE_SECONDS = 2
# The rate-limit period Cloudflare offers on every plan that has custom periods.
RATE_LIMIT_PERIOD_SECONDS = 60


def path_prefix(pattern: str) -> str:
    """`/vod/*` -> `/vod/` (CdnArgs validated the `/prefix/*` form)."""
    return pattern[:-1]


def paths_expression(patterns: list[str]) -> str:
    return " or ".join(f'starts_with(http.request.uri.path, "{path_prefix(p)}")'
                       for p in patterns)


def _in_set(extensions: tuple[str, ...]) -> str:
    return "{" + " ".join(f'"{e}"' for e in extensions) + "}"


def hmac_expression(secret: str, scope: str, lifetime: int) -> str:
    """Block requests in `scope` unless `?verify=<timestamp>-<mac>` is a valid timed HMAC."""
    return (f"({scope}) and not is_timed_hmac_valid_v0("
            f'"{secret}", http.request.uri, {lifetime}, http.request.timestamp.sec, 8)')


def _ruleset(cdn: Cdn, name: str, role: str, phase: str, zone_id: pulumi.Input[str],
             rules: list[dict[str, Any]], description: str) -> cloudflare.Ruleset:
    ruleset = cloudflare.Ruleset(
        child_name(name, role), zone_id=zone_id, kind="zone", phase=phase,
        name=child_name(name, role), description=description, rules=rules,
        opts=pulumi.ResourceOptions(parent=cdn))
    cdn.ruleset_ids[phase] = ruleset.id
    return ruleset


def origin_scope(origin: CdnOrigin) -> str:
    """The requests an origin serves: its host, narrowed to its path prefixes if any."""
    host = f'http.host eq "{cloudflare_host(origin)}"'
    if not origin.path_patterns:
        return host
    return f"({host} and ({paths_expression(origin.path_patterns)}))"


def scopes_expression(origins: list[CdnOrigin]) -> str:
    return " or ".join(origin_scope(o) for o in origins)


def _dns_records(cdn: Cdn, name: str, args: CdnArgs, origins: list[CdnOrigin]) -> None:
    for origin in origins:
        if origin.hostname is None:
            continue
        cloudflare.DnsRecord(
            child_name(name, f"dns-{origin.origin_id}"), zone_id=args.zone_id,
            name=origin.hostname, type="CNAME", content=origin.domain_name, proxied=True,
            ttl=1, comment=f"{name}: {origin.role} origin, proxied through Cloudflare",
            opts=pulumi.ResourceOptions(parent=cdn))


def build_cloudflare(cdn: Cdn, name: str, args: CdnArgs) -> None:
    child = pulumi.ResourceOptions(parent=cdn)
    zone_id = args.zone_id
    assert zone_id is not None
    for setting, value in ZONE_SETTINGS.items():
        cloudflare.ZoneSetting(child_name(name, f"setting-{setting.replace('_', '-')}"),
                               zone_id=zone_id, setting_id=setting, value=value, opts=child)
    _dns_records(cdn, name, args, args.origins)

    _ruleset(cdn, name, "waf-managed", "http_request_firewall_managed", zone_id, [{
        "action": "execute",
        "expression": "true",
        "description": "Cloudflare Managed Ruleset",
        "enabled": True,
        "action_parameters": {"id": CLOUDFLARE_MANAGED_RULESET},
    }], f"{name}: Cloudflare managed WAF rules")

    _ruleset(cdn, name, "rate-limit", "http_ratelimit", zone_id, [{
        "action": "block",
        "expression": "true",
        "description": f"More than {args.rate_limit_per_5_minutes} requests per 5 minutes "
                       "from one IP",
        "enabled": True,
        "ratelimit": {
            "characteristics": ["cf.colo.id", "ip.src"],
            "period": RATE_LIMIT_PERIOD_SECONDS,
            "requests_per_period": max(1, args.rate_limit_per_5_minutes *
                                       RATE_LIMIT_PERIOD_SECONDS // 300),
            "mitigation_timeout": 600,
        },
    }], f"{name}: per-IP rate limit")

    video = [o for o in args.origins if o.role in VIDEO_ROLES]
    scope = f"({scopes_expression(video)}) and " if video else ""
    _ruleset(cdn, name, "cache", "http_request_cache_settings", zone_id, [
        {
            "action": "set_cache_settings",
            "expression": f"{scope}http.request.uri.path.extension in "
                          f"{_in_set(SEGMENT_EXTENSIONS)}",
            "description": "Video segments: immutable, cached at the edge",
            "enabled": True,
            "action_parameters": {
                "cache": True,
                "edge_ttl": {"mode": "override_origin", "default": args.segment_cache_seconds},
                "browser_ttl": {"mode": "respect_origin"},
                # Signed URLs carry per-viewer tokens in the query: keep them out of the key.
                "cache_key": {"ignore_query_strings_order": True, "custom_key": {
                    "query_string": {"exclude": {"all": True}}}},
            },
        },
        {
            "action": "set_cache_settings",
            "expression": f"{scope}http.request.uri.path.extension in "
                          f"{_in_set(MANIFEST_EXTENSIONS)}",
            "description": "Manifests: cached briefly (live playlists change)",
            "enabled": True,
            "action_parameters": {
                "cache": True,
                "edge_ttl": {"mode": "override_origin", "default": MANIFEST_CACHE_SECONDS},
                "browser_ttl": {"mode": "bypass"},
                "cache_key": {"custom_key": {"query_string": {"exclude": {"all": True}}}},
            },
        },
    ], f"{name}: cache rules for video")

    signed = [o for o in args.origins if args.is_signed(o)]
    if signed:
        signed_scope = scopes_expression(signed)
        expression = pulumi.Output.secret(args.hmac_secret).apply(
            lambda secret: hmac_expression(secret, signed_scope, args.token_lifetime_seconds))
        _ruleset(cdn, name, "video-token", "http_request_firewall_custom", zone_id, [{
            "action": "block",
            "expression": expression,
            "description": "Video paths need a valid timed HMAC token "
                           "(is_timed_hmac_valid_v0, ?verify=<ts>-<mac>)",
            "enabled": True,
        }], f"{name}: video paths need a valid timed HMAC token (is_timed_hmac_valid_v0); "
            "the rules are secret because the expression embeds the HMAC key")

    # Tiered caching: Argo tiered caching on, with Cloudflare's smart topology.
    cloudflare.ArgoTieredCaching(child_name(name, "tiered-caching"), zone_id=zone_id,
                                 value="on", opts=child)
    cloudflare.TieredCache(child_name(name, "smart-tiered-cache"), zone_id=zone_id, value="on",
                           opts=child)
    cdn.domain_name = pulumi.Output.from_input(args.domain_names[0] if args.domain_names
                                               else args.origins[0].domain_name)
