"""Traffic in transit: internet-facing load balancers and CloudFront origins use HTTPS with
TLS 1.2 or later."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .base import Report, stack_policy
from .graph import UNKNOWN, Graph, get, items, label, truthy

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
TLS_PROTOCOLS = ("HTTPS", "TLS")
# pulumi-aws `ssl_policy` docs: "Default is `ELBSecurityPolicy-2016-08`" (allows TLS 1.0).
DEFAULT_ELB_SSL_POLICY = "ELBSecurityPolicy-2016-08"
# ELB predefined policy names carry their minimum TLS version (TLS-1-2-..., TLS13-1-2-...,
# FS-1-2-..., TLS13-1-3-...); every other predefined policy also admits TLS 1.0/1.1.
# Source: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
ELB_TLS12_POLICY = re.compile(r"-(TLS|TLS13|FS)-1-[23]-")
# CloudFront origin_ssl_protocols values below TLS 1.2 (the API's enum: SSLv3, TLSv1,
# TLSv1.1, TLSv1.2). Source: CloudFront API reference, OriginSslProtocols.
WEAK_ORIGIN_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1")
S3_WEBSITE = re.compile(r"\.s3-website[.-]")


def _load_balancer(graph: Graph, listener: Any) -> Any:
    found = graph.linked(listener, get(listener.props, "loadBalancerArn"), LOAD_BALANCERS,
                         "arn", prop="loadBalancerArn")
    return found[0] if found else None


def _redirects_to_https(listener: Any) -> bool:
    actions = items(get(listener.props, "defaultActions"))
    return bool(actions) and all(
        get(a, "type") == "redirect" and get(a, "redirect", "protocol") == "HTTPS"
        for a in actions)


def check_load_balancer_https(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for listener in graph.of_type(*LISTENERS):
        balancer = _load_balancer(graph, listener)
        if balancer is not None and (truthy(get(balancer.props, "internal")) or get(
                balancer.props, "internal") is UNKNOWN):
            continue
        kind = get(balancer.props, "loadBalancerType", default="application") \
            if balancer is not None else None
        if kind == "gateway":
            continue
        protocol = get(listener.props, "protocol")
        if protocol is UNKNOWN:
            continue
        if protocol is None and kind in ("application", None):
            protocol = "HTTP"  # the ALB listener default
        where = "internet-facing" if balancer is not None else \
            "(its load balancer is not in this program, so taken as internet-facing)"
        if protocol == "HTTP" and not _redirects_to_https(listener):
            report(listener, f"listener {label(listener)} {where} serves plain HTTP; make its "
                             "default action a redirect to HTTPS (redirect protocol='HTTPS', "
                             "status_code='HTTP_301') and serve on an HTTPS listener")
        elif protocol in TLS_PROTOCOLS:
            policy = get(listener.props, "sslPolicy")
            if policy is UNKNOWN:
                continue
            shown = policy or f"unset, so {DEFAULT_ELB_SSL_POLICY}"
            if not policy or not ELB_TLS12_POLICY.search(policy):
                report(listener, f"listener {label(listener)} {where} allows TLS below 1.2 "
                                 f"(ssl_policy {shown}); set "
                                 "ssl_policy='ELBSecurityPolicy-TLS13-1-2-2021-06'")


def _config(dist: Any) -> Any:
    """The distribution's settings (aws-native nests them under distributionConfig)."""
    if dist.resource_type.startswith("aws-native:"):
        return get(dist.props, "distributionConfig")
    return dist.props


def _plain_http_origins(config: Any) -> set[Any]:
    """Origins that some cache behaviour serves to viewers over plain HTTP (allow-all)."""
    behaviours = [get(config, "defaultCacheBehavior"),
                  *items(get(config, "orderedCacheBehaviors")),
                  *items(get(config, "cacheBehaviors"))]
    return {get(b, "targetOriginId") for b in behaviours
            if get(b, "viewerProtocolPolicy") == "allow-all"}


def check_cloudfront_origin_https(graph: Graph, config: Mapping[str, Any],
                                  report: Report) -> None:
    for dist in graph.of_type("aws:cloudfront/distribution:Distribution",
                              "aws-native:cloudfront:Distribution"):
        config = _config(dist)
        plain_http = _plain_http_origins(config)
        for origin in items(get(config, "origins")):
            custom = get(origin, "customOriginConfig")
            if not custom:
                continue
            origin_id = get(origin, "originId") or get(origin, "id")
            what = f"CloudFront distribution {label(dist)}: origin '{origin_id}'"
            policy = get(custom, "originProtocolPolicy")
            if policy == "match-viewer" and origin_id in plain_http:
                report(dist, f"{what} is reached over plain HTTP when viewers use HTTP "
                             "(match-viewer behind an allow-all cache behaviour); set "
                             "origin_protocol_policy='https-only'")
                continue
            if policy == "http-only":
                domain = get(origin, "domainName")
                fix = ("S3 website endpoints speak HTTP only: use the bucket's REST endpoint "
                       "as an S3 origin with origin access control" if isinstance(
                           domain, str) and S3_WEBSITE.search(domain) else
                       "set origin_protocol_policy='https-only' (the origin needs a "
                       "certificate)")
                report(dist, f"{what} is reached over plain HTTP (http-only); {fix}")
                continue
            weak = [p for p in items(get(custom, "originSslProtocols"))
                    if p in WEAK_ORIGIN_PROTOCOLS]
            if weak:
                report(dist, f"{what} allows TLS below 1.2 ({', '.join(weak)}); set "
                             "origin_ssl_protocols=['TLSv1.2']")


POLICIES = [
    stack_policy(
        "load-balancer-https-only",
        "Internet-facing ALB/NLB listeners serve HTTPS/TLS with TLS 1.2 or later; an HTTP "
        "listener only redirects to HTTPS.",
        check_load_balancer_https,
        remediation="Redirect HTTP to HTTPS; ssl_policy ELBSecurityPolicy-TLS13-1-2-2021-06.",
    ),
    stack_policy(
        "cloudfront-origin-https",
        "CloudFront custom origins are reached over HTTPS with TLS 1.2 or later.",
        check_cloudfront_origin_https,
        remediation="origin_protocol_policy https-only; origin_ssl_protocols ['TLSv1.2'].",
    ),
]
