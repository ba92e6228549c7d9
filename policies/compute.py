"""Instances: EC2 instances and launch templates require IMDSv2 session tokens.

IMDSv1 answers any request from the instance, so an SSRF in the workload hands out the
instance role's credentials. `http_tokens` unset means the AMI's or the account's default,
usually `optional`: only an account default of `required` in the same region
(aws.ec2.InstanceMetadataDefaults) makes unset acceptable. An instance metadata endpoint
that is turned off needs no tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Report, stack_policy
from .graph import UNKNOWN, Graph, get, label

ACCOUNT_DEFAULTS = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"
# type -> path of the metadata options block
METADATA_OPTIONS = {
    "aws:ec2/instance:Instance": ("metadataOptions",),
    "aws:ec2/launchTemplate:LaunchTemplate": ("metadataOptions",),
    "aws:ec2/launchConfiguration:LaunchConfiguration": ("metadataOptions",),
    "aws-native:ec2:LaunchTemplate": ("launchTemplateData", "metadataOptions"),
}


def _required_by_default(graph: Graph) -> set[Any]:
    """Regions whose account-level default (in this program) requires tokens."""
    return {graph.region(d) for d in graph.of_type(ACCOUNT_DEFAULTS)
            if get(d.props, "httpTokens") == "required"}


def check_imdsv2(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    defaults = _required_by_default(graph)
    for type_token, path in METADATA_OPTIONS.items():
        for resource in graph.of_type(type_token):
            options = get(resource.props, *path)
            tokens, endpoint = get(options, "httpTokens"), get(options, "httpEndpoint")
            if UNKNOWN in (tokens, endpoint) or tokens == "required" or endpoint == "disabled":
                continue
            if tokens is None and graph.region(resource) in defaults:
                continue
            shown = f"http_tokens='{tokens}'" if tokens else "http_tokens unset (IMDSv1 allowed)"
            report(resource, f"{label(resource)} does not require IMDSv2 ({shown}); set "
                             "metadata_options http_tokens='required'")


POLICIES = [
    stack_policy(
        "ec2-imdsv2-required",
        "EC2 instances and launch templates require IMDSv2 (metadata http_tokens=required).",
        check_imdsv2,
        remediation="Set metadata_options http_tokens='required'.",
    ),
]
