"""Resources that live in no region: the plan shows them with `region: "global"`.

Each entry: a type-token prefix, an optional (input, value) that must hold, and its source.
A global service's resources are created through one endpoint (often us-east-1's), but
the data or configuration they hold is not in that region.
"""

from __future__ import annotations

from typing import Any

GLOBAL_REGION = "global"

# (type prefix, required input or None, source)
GLOBAL_TYPES: tuple[tuple[str, tuple[str, str] | None, str], ...] = (
    ("aws:cloudfront/", None, "CloudFront Developer Guide: CloudFront is a global service"),
    ("aws-native:cloudfront:", None, "CloudFront Developer Guide (global service)"),
    ("aws:iam/", None, "IAM User Guide: IAM is a global service (no regional resources)"),
    ("aws-native:iam:", None, "IAM User Guide (global service)"),
    ("aws:organizations/", None, "Organizations User Guide: a global service"),
    ("aws-native:organizations:", None, "Organizations User Guide (global service)"),
    ("aws:globalaccelerator/", None, "Global Accelerator Developer Guide: global service"),
    ("aws-native:globalaccelerator:", None, "Global Accelerator Developer Guide"),
    ("aws:route53domains/", None, "Route 53 Developer Guide: domain registration is global"),
    ("aws:waf/", None, "WAF Classic Developer Guide: `waf` (not `waf-regional`) is global"),
    ("aws:shield/", None, "Shield Advanced API: a global service (us-east-1 endpoint)"),
    ("aws:budgets/", None, "Budgets User Guide: budgets are account-wide"),
    ("aws:wafv2/", ("scope", "CLOUDFRONT"), "WAF Developer Guide: CLOUDFRONT scope is global"),
    ("aws-native:wafv2:", ("scope", "CLOUDFRONT"), "WAF Developer Guide (CLOUDFRONT scope)"),
)
# Route 53 is global except Resolver, which lives in a VPC's region (Route 53 Developer Guide).
ROUTE53_PREFIXES = ("aws:route53/", "aws-native:route53:")
ROUTE53_REGIONAL = ("aws:route53/resolver",)


def is_global(type_token: str, inputs: dict[str, Any]) -> bool:
    if type_token.startswith(ROUTE53_PREFIXES):
        return not type_token.startswith(ROUTE53_REGIONAL)
    for prefix, condition, _source in GLOBAL_TYPES:
        if type_token.startswith(prefix):
            if condition is None:
                return True
            key, value = condition
            return str(inputs.get(key, "")).upper() == value
    return False
