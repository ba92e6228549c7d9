"""Usage assumptions for usage-priced services: documented defaults, overridden by a YAML
usage file with the same sections and keys (an unknown key is refused, not ignored)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# section -> key -> (default, what it means). Per-resource figures are per resource of
# that kind (per bucket, per NAT gateway, ...), so a stack with more of them costs more.
DEFAULTS: dict[str, dict[str, tuple[float, str]]] = {
    "s3": {"storage_gb": (100, "GB stored per bucket (S3 Standard)"),
           "put_requests": (100_000, "PUT/COPY/POST/LIST requests per bucket per month"),
           "get_requests": (1_000_000, "GET requests per bucket per month")},
    "nat": {"data_gb": (100, "GB processed per NAT gateway per month")},
    "alb": {"lcu": (1, "average LCUs per load balancer")},
    "cloudfront": {"data_gb": (1_000, "GB delivered per distribution per month"),
                   "https_requests": (10_000_000, "HTTPS requests per distribution per month")},
    "waf": {"requests": (10_000_000, "requests inspected per web ACL per month")},
    "logs": {"ingest_gb": (5, "GB ingested per log group per month"),
             "stored_gb": (20, "GB kept per log group")},
    "aurora": {"storage_gb": (100, "GB per cluster"),
               "io_million": (50, "million I/O requests per cluster per month"),
               "serverless_acu": (1, "average ACUs of a db.serverless instance")},
    "docdb": {"storage_gb": (100, "GB per cluster"),
              "io_million": (50, "million I/O requests per cluster per month")},
    "dynamodb": {"write_million": (10, "million write request units per on-demand table"),
                 "read_million": (50, "million read request units per on-demand table"),
                 "storage_gb": (10, "GB per table (and per replica)")},
    "lambda": {"requests_million": (1, "million invocations per function per month"),
               "duration_ms": (1_000, "average duration of an invocation")},
    "ecr": {"storage_gb": (10, "GB of images per repository")},
    "sqs": {"requests_million": (1, "million requests per queue per month")},
    "sns": {"requests_million": (1, "million publishes per topic per month")},
    "ec2": {"root_volume_gb": (8, "root volume GB of an instance that does not set one (gp3; "
                                   "the Amazon Linux 2023 AMI's size)")},
    "efs": {"storage_gb": (100, "GB stored per file system (Standard)")},
    "eks": {"node_volume_gb": (20, "root volume GB per managed node (gp3; EKS's default)")},
    "karpenter": {"nodes": (0, "average nodes Karpenter runs per NodePool (it provisions at "
                            "run time, so the plan cannot know)"),
                  "spot_share": (0.8, "share of those nodes on spot")},
    "r2": {"storage_gb": (1_000, "GB stored per R2 bucket"),
           "class_a_million": (1, "million Class A operations per bucket per month"),
           "class_b_million": (10, "million Class B operations per bucket per month")},
    "cloudflare": {"zone_plan_monthly": (0, "the zone's plan (Free 0, Pro 25, Business 250, "
                                            "Enterprise by contract): not a resource")},
}
INSTANCE_KEYS = {"karpenter": {"instance_type": ("m7i.large", "instance type of those nodes")}}


class UsageError(Exception):
    """A bad usage file: the message is one line naming the file, key and fix."""


def load_usage(path: Path | None) -> dict[str, dict[str, Any]]:
    usage = {section: {k: v[0] for k, v in keys.items()} for section, keys in DEFAULTS.items()}
    for section, keys in INSTANCE_KEYS.items():
        usage[section].update({k: v[0] for k, v in keys.items()})
    if path is None:
        return usage
    try:
        given = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise UsageError(f"{path}: not a readable YAML usage file ({error})") from None
    if not isinstance(given, dict):
        raise UsageError(f"{path}: expected sections ({', '.join(DEFAULTS)}) as a mapping")
    for section, keys in given.items():
        if section not in usage or not isinstance(keys, dict):
            raise UsageError(f"{path}: unknown section '{section}'; use one of "
                             f"{', '.join(DEFAULTS)}, each a mapping of keys")
        for key, value in keys.items():
            if key not in usage[section]:
                raise UsageError(f"{path}: {section}.{key} is not a usage key; use "
                                 f"{', '.join(usage[section])}")
            wants_text = isinstance(usage[section][key], str)
            if wants_text != isinstance(value, str) or (
                    not wants_text and (isinstance(value, bool) or value < 0)):
                raise UsageError(f"{path}: {section}.{key} = {value!r}; give a "
                                 f"{'string' if wants_text else 'non-negative number'}")
            usage[section][key] = value
    return usage
