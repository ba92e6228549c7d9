"""Network exposure: open ingress, public databases, EKS endpoints, plain-HTTP delivery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource

from .base import Report, stack_policy
from .graph import UNKNOWN, Graph, get, items, label, number, truthy

WORLD = ("0.0.0.0/0", "::/0")
WEB_PORTS = (80, 443)
TLS_ORDER = ["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019",
             "TLSv1.2_2021", "TLSv1.3_2025"]


def _web_only(protocol: Any, from_port: Any, to_port: Any) -> bool:
    """True when the rule opens only TCP 80 or only TCP 443."""
    low, high = number(from_port), number(to_port)
    return (str(protocol).lower() in ("tcp", "6") and low is not None and low == high
            and int(low) in WEB_PORTS)


def _ports(protocol: Any, from_port: Any, to_port: Any) -> str:
    if str(protocol) in ("-1", "all"):
        return "all traffic"
    low, high = number(from_port), number(to_port)
    span = f"{int(low)}" if low is not None and low == high else f"{from_port}-{to_port}"
    return f"{protocol} {span}"


def _open(resource: PolicyResource, cidrs: list[Any], protocol: Any, from_port: Any,
          to_port: Any, report: Report) -> None:
    world = [c for c in cidrs if c in WORLD]
    if world and not _web_only(protocol, from_port, to_port):
        report(resource, f"{label(resource)} allows ingress from {world[0]} on "
                         f"{_ports(protocol, from_port, to_port)}; only TCP 80/443 may be open "
                         "to the world: restrict the source to a CIDR or security group")


def check_open_ingress(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for group in graph.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for rule in items(get(group.props, "ingress")):
            cidrs = items(get(rule, "cidrBlocks")) + items(get(rule, "ipv6CidrBlocks"))
            _open(group, cidrs, get(rule, "protocol"), get(rule, "fromPort"),
                  get(rule, "toPort"), report)
    for rule in graph.of_type("aws:ec2/securityGroupRule:SecurityGroupRule"):
        if get(rule.props, "type") == "ingress":
            cidrs = items(get(rule.props, "cidrBlocks")) + items(get(rule.props,
                                                                     "ipv6CidrBlocks"))
            _open(rule, cidrs, get(rule.props, "protocol"), get(rule.props, "fromPort"),
                  get(rule.props, "toPort"), report)
    for rule in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        cidrs = [get(rule.props, "cidrIpv4"), get(rule.props, "cidrIpv6")]
        _open(rule, cidrs, get(rule.props, "ipProtocol"), get(rule.props, "fromPort"),
              get(rule.props, "toPort"), report)
    for group in graph.of_type("aws-native:ec2:SecurityGroup"):
        for rule in items(get(group.props, "securityGroupIngress")):
            _open(group, [get(rule, "cidrIp"), get(rule, "cidrIpv6")], get(rule, "ipProtocol"),
                  get(rule, "fromPort"), get(rule, "toPort"), report)
    for rule in graph.of_type("aws-native:ec2:SecurityGroupIngress"):
        _open(rule, [get(rule.props, "cidrIp"), get(rule.props, "cidrIpv6")],
              get(rule.props, "ipProtocol"), get(rule.props, "fromPort"),
              get(rule.props, "toPort"), report)


def check_rds_not_public(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for db in graph.of_type("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance",
                            "aws:rds/cluster:Cluster", "aws-native:rds:DbInstance"):
        if truthy(get(db.props, "publiclyAccessible")):
            report(db, f"database {label(db)} is publicly accessible; set "
                       "publicly_accessible=False and reach it from inside the VPC")


def check_eks_endpoint(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for cluster in graph.of_type("aws:eks/cluster:Cluster"):
        vpc = get(cluster.props, "vpcConfig")
        public = get(vpc, "endpointPublicAccess")
        if public is UNKNOWN or (public is not None and not truthy(public)):
            continue  # AWS's default is a public endpoint: unset counts as public
        cidrs = items(get(vpc, "publicAccessCidrs")) or ["0.0.0.0/0 (the default)"]
        world = [c for c in cidrs if isinstance(c, str) and c.split(" ")[0] in WORLD]
        if world:
            report(cluster, f"EKS cluster {label(cluster)} has a public API endpoint open to "
                            f"{world[0]}; set vpc_config.endpoint_public_access=False, or "
                            "public_access_cidrs to your operators' CIDRs")


def check_cloudfront_https(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for dist in graph.of_type("aws:cloudfront/distribution:Distribution"):
        behaviours = [("default cache behaviour", get(dist.props, "defaultCacheBehavior"))]
        behaviours += [(f"cache behaviour '{get(b, 'pathPattern')}'", b)
                       for b in items(get(dist.props, "orderedCacheBehaviors"))]
        for what, behaviour in behaviours:
            if get(behaviour, "viewerProtocolPolicy") == "allow-all":
                report(dist, f"CloudFront distribution {label(dist)}: the {what} allows plain "
                             "HTTP; set viewer_protocol_policy='redirect-to-https' (or "
                             "'https-only')")
        certificate = get(dist.props, "viewerCertificate")
        minimum = get(certificate, "minimumProtocolVersion")
        if truthy(get(certificate, "cloudfrontDefaultCertificate")):
            report(dist, f"CloudFront distribution {label(dist)} uses the default "
                         "*.cloudfront.net certificate, which allows TLSv1; use an ACM "
                         "certificate (us-east-1) with minimum_protocol_version='TLSv1.2_2021'")
        elif minimum is not UNKNOWN and (minimum not in TLS_ORDER or TLS_ORDER.index(minimum)
                                         < TLS_ORDER.index("TLSv1.2_2018")):
            report(dist, f"CloudFront distribution {label(dist)} allows TLS below 1.2 "
                         f"(minimum_protocol_version={minimum!r}); set "
                         "minimum_protocol_version='TLSv1.2_2021'")


POLICIES = [
    stack_policy(
        "security-group-no-open-ingress",
        "Security groups allow ingress from 0.0.0.0/0 or ::/0 only on TCP 80 and 443.",
        check_open_ingress,
        remediation="Restrict the source to a CIDR or a security group.",
    ),
    stack_policy(
        "rds-not-public",
        "RDS / Aurora databases are not publicly accessible.",
        check_rds_not_public,
        remediation="Set publicly_accessible=False.",
    ),
    stack_policy(
        "eks-endpoint-restricted",
        "EKS API endpoints are private or limited to known CIDRs.",
        check_eks_endpoint,
        remediation="Disable the public endpoint or set public_access_cidrs.",
    ),
    stack_policy(
        "cloudfront-https-only",
        "CloudFront serves viewers over HTTPS only, with TLS 1.2 or later.",
        check_cloudfront_https,
        remediation="viewer_protocol_policy=redirect-to-https; minimum TLSv1.2_2021.",
    ),
]
