"""The platform's WAFv2 web ACL: AWS managed rule groups plus a per-IP rate limit.

One definition for both scopes: `CLOUDFRONT` (in us-east-1, for distributions; used by
components/cdn_cloudfront.py) and `REGIONAL` (for an ALB in the stack's region; used by
components/web_tier.py, which associates it with its load balancer).
"""

from __future__ import annotations

from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components.labels import child_name, resource_tags

Scope = Literal["CLOUDFRONT", "REGIONAL"]
# CloudFront-scoped web ACLs live in us-east-1 (WAF developer guide).
CLOUDFRONT_REGION = "us-east-1"
AWS_MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet",
                           "AWSManagedRulesKnownBadInputsRuleSet",
                           "AWSManagedRulesAmazonIpReputationList")
MIN_RATE_LIMIT = 100
"""WAF's smallest rate-based rule limit (requests per 5 minutes)."""


def _visibility(metric: str) -> dict[str, Any]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric,
            "sampled_requests_enabled": True}


def managed_web_acl(parent: pulumi.Resource, name: str, *, scope: Scope,
                    rate_limit_per_5_minutes: int, description: str) -> aws.wafv2.WebAcl:
    """`<name>-waf`: the AWS managed rule groups, then a per-IP rate limit that blocks."""
    if rate_limit_per_5_minutes < MIN_RATE_LIMIT:
        raise ValueError(f"rate_limit_per_5_minutes: {rate_limit_per_5_minutes} is below "
                         f"WAF's minimum of {MIN_RATE_LIMIT}; use {MIN_RATE_LIMIT} or more")
    rules = [{
        "name": group,
        "priority": index,
        "override_action": {"none": {}},
        "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": group}},
        "visibility_config": _visibility(group),
    } for index, group in enumerate(AWS_MANAGED_RULE_GROUPS)]
    rules.append({
        "name": "rate-limit-per-ip",
        "priority": len(rules),
        "action": {"block": {}},
        "statement": {"rate_based_statement": {
            "limit": rate_limit_per_5_minutes, "aggregate_key_type": "IP",
            "evaluation_window_sec": 300}},
        "visibility_config": _visibility("rate-limit-per-ip"),
    })
    acl_name = child_name(name, "waf")
    region = {"region": CLOUDFRONT_REGION} if scope == "CLOUDFRONT" else {}
    return aws.wafv2.WebAcl(
        acl_name, scope=scope, **region, description=description,
        default_action={"allow": {}}, rules=rules, visibility_config=_visibility(acl_name),
        tags=resource_tags(acl_name), opts=pulumi.ResourceOptions(parent=parent))
