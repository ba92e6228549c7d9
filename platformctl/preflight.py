"""`platformctl preflight`: can the target account take this plan? (boto3, read-only)

Four questions, each a check id: the caller's account is one the stack allows
(`account-mismatch`), every region of the plan is enabled for it (`region-not-enabled`), its
service quotas leave room for what the plan adds (`quota-exceeded`), and the explicit
physical names the plan needs are free (`name-taken`: an S3 bucket owned elsewhere, an IAM
role that exists). What could not be asked is a note, never a pass.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from platformctl.checks.naming import named_resources
from platformctl.checks.plan_view import GLOBAL_REGION, StackPlan, is_opaque, string_list
from platformctl.checks.service_region import partition_of

QUOTAS = Path(__file__).with_name("preflight_quotas.yaml")
AWS_PACKAGES = ("aws", "aws-native")
ClientFactory = Callable[[str, str], Any]
HOME_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


class PreflightError(Exception):
    """The pre-flight cannot run (no credentials, endpoint unreachable): one line, exit 2."""


@dataclass(frozen=True)
class Problem:
    check: str
    urn: str | None
    message: str


@dataclass
class PreflightReport:
    stack: str
    account: str | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, check: str, urn: str | None, message: str) -> None:
        self.problems.append(Problem(check, urn, message))

    def to_json(self) -> str:
        document = {"stack": self.stack, "account": self.account,
                    "problems": [asdict(p) for p in self.problems], "notes": self.notes}
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    def to_text(self) -> str:
        lines = [f"problem: [{p.check}] {p.message}" for p in self.problems]
        lines += [f"note: {n}" for n in self.notes]
        verdict = (f"{len(self.problems)} problem(s)" if self.problems else
                   "ready" + (f" (read the {len(self.notes)} note(s): not everything was "
                              "checked)" if self.notes else ""))
        lines.append(f"preflight of {self.stack} in account {self.account}: {verdict}")
        return "\n".join(lines) + "\n"


def client_factory(profile: str | None = None, endpoint_url: str | None = None) -> ClientFactory:
    """Cached boto3 clients per (service, region), all sent to `endpoint_url` when given."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    try:
        session = boto3.session.Session(profile_name=profile)
    except BotoCoreError as error:
        raise PreflightError(f"--profile {profile}: {error}") from None
    config = Config(user_agent_extra="platformctl-preflight", connect_timeout=10,
                    read_timeout=30, retries={"max_attempts": 2})
    clients: dict[tuple[str, str], Any] = {}

    def client(service: str, region: str) -> Any:
        if (service, region) not in clients:
            try:
                clients[service, region] = session.client(
                    service, region_name=region, endpoint_url=endpoint_url, config=config)
            except ValueError as error:  # a malformed --endpoint-url
                raise PreflightError(f"--endpoint-url {endpoint_url}: {error}") from None
        return clients[service, region]

    client("sts", HOME_REGIONS["aws"])  # a malformed endpoint fails here, before planning
    return client


def _error_code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__))


def plan_regions(view: StackPlan) -> list[str]:
    return sorted({r["region"] for r in view.plan["resources"]
                   if r["type"].split(":")[0] in AWS_PACKAGES and isinstance(r.get("region"), str)
                   and r["region"] != GLOBAL_REGION and not is_opaque(r["region"])})


def expected_accounts(view: StackPlan) -> set[str]:
    accounts = set(view.config_accounts or ())
    for provider in view.of_type("pulumi:providers:aws", "pulumi:providers:aws-native"):
        accounts |= set(string_list((provider.get("props") or {}).get("allowedAccountIds"))
                        or ())
    return accounts


def check_account(view: StackPlan, client: ClientFactory, home: str,
                  report: PreflightReport) -> None:
    report.account = client("sts", home).get_caller_identity()["Account"]
    expected = expected_accounts(view)
    if not expected:
        report.notes.append(f"{view.stack}: no aws:allowedAccountIds; the caller's account "
                            f"{report.account} was not compared with an expected one")
    elif report.account not in expected:
        report.add("account-mismatch", None, f"{view.stack}: credentials are for account "
                   f"{report.account}, but the stack allows {', '.join(sorted(expected))}; use "
                   "that account's profile (--profile) or fix aws:allowedAccountIds")


def check_regions(regions: list[str], client: ClientFactory, home: str,
                  report: PreflightReport) -> list[str]:
    """Regions enabled for the account (the rest are reported)."""
    answer = client("ec2", home).describe_regions(AllRegions=True)["Regions"]
    status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in answer}
    enabled = []
    for region in regions:
        if region not in status:
            report.add("region-not-enabled", None, f"{region}: not a region of this account's "
                       "partition; fix the stack's region")
        elif status[region] == "not-opted-in":
            report.add("region-not-enabled", None, f"{region}: not enabled for account "
                       f"{report.account}; enable it (`aws account enable-region --region-name "
                       f"{region}`) and wait until it is ENABLED")
        else:
            enabled.append(region)
    return enabled


@cache
def quota_table() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(QUOTAS.read_text())


def _subnet_az(view: StackPlan, resource: dict[str, Any]) -> str | None:
    for urn in resource.get("dependencies") or []:
        dependency = view.resources.get(urn)
        if dependency and dependency["type"] == "aws:ec2/subnet:Subnet":
            zone = (dependency.get("props") or {}).get("availabilityZone")
            return zone if isinstance(zone, str) and not is_opaque(zone) else None
    return None


def _all(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a listing, page after page where the API pages."""
    if not client.can_paginate(operation):
        return getattr(client, operation)(**kwargs)[key]
    pages = client.get_paginator(operation).paginate(**kwargs)
    return [item for page in pages for item in page[key]]


def _nat_gateways_by_az(client: ClientFactory, region: str) -> Counter[str]:
    ec2 = client("ec2", region)
    gateways = _all(ec2, "describe_nat_gateways", "NatGateways",
                    Filters=[{"Name": "state", "Values": ["pending", "available"]}])
    subnets = [g["SubnetId"] for g in gateways]
    if not subnets:
        return Counter()
    zones = {s["SubnetId"]: s["AvailabilityZone"]
             for s in _all(ec2, "describe_subnets", "Subnets", SubnetIds=sorted(set(subnets)))}
    return Counter(zones[s] for s in subnets)


# How the account's current use of each quota is counted, in one region.
USAGE: dict[str, Callable[[ClientFactory, str], int | Counter[str]]] = {
    "vpcs": lambda c, r: len(_all(c("ec2", r), "describe_vpcs", "Vpcs")),
    "internet-gateways": lambda c, r: len(
        _all(c("ec2", r), "describe_internet_gateways", "InternetGateways")),
    "elastic-ips": lambda c, r: len(_all(c("ec2", r), "describe_addresses", "Addresses",
                                         Filters=[{"Name": "domain", "Values": ["vpc"]}])),
    "nat-gateways": _nat_gateways_by_az,
    "eks-clusters": lambda c, r: len(_all(c("eks", r), "list_clusters", "clusters")),
}


def quota_value(entry: dict[str, Any], client: ClientFactory, region: str,
                report: PreflightReport) -> float:
    from botocore.exceptions import ClientError

    quotas = client("service-quotas", region)
    for ask in (quotas.get_service_quota, quotas.get_aws_default_service_quota):
        try:
            return float(ask(ServiceCode=entry["service"], QuotaCode=entry["code"])
                         ["Quota"]["Value"])
        except ClientError:
            continue
    report.notes.append(f"{region}: Service Quotas gave no value for {entry['name']} "
                        f"({entry['service']} {entry['code']}); used AWS's documented default "
                        f"{entry['default']} ({entry['source']})")
    return float(entry["default"])


def check_quotas(view: StackPlan, regions: list[str], client: ClientFactory,
                 report: PreflightReport) -> None:
    for entry in quota_table().values():
        for region in regions:
            needed: Counter[str] = Counter()
            for resource in view.of_type(*entry["types"]):
                if resource.get("region") != region:
                    continue
                where = _subnet_az(view, resource) if entry["per"] == "az" else region
                if where is None:
                    report.notes.append(f"{view.label(resource)}: availability zone unknown "
                                        f"until apply; counted against {entry['name']} of "
                                        "the busiest zone")
                needed[where or "*"] += 1
            if not needed:
                continue
            limit = quota_value(entry, client, region, report)
            used = USAGE[entry["usage"]](client, region)
            for where, count in sorted(needed.items()):
                in_use = used if isinstance(used, int) else (
                    max(used.values(), default=0) if where == "*" else used[where])
                if in_use + count > limit:
                    place = region if entry["per"] == "region" else f"{where} ({region})"
                    report.add("quota-exceeded", None, f"{place}: the plan adds {count} "
                               f"against {entry['name']} ({entry['service']} {entry['code']}), "
                               f"{in_use} in use, quota {limit:g}; request an increase in "
                               "Service Quotas or deploy fewer")


def check_names(view: StackPlan, client: ClientFactory, home: str,
                report: PreflightReport) -> None:
    from botocore.exceptions import ClientError

    def unknown(_view: StackPlan, resource: dict[str, Any], rule: Any) -> None:
        if rule.type.startswith(("aws:s3/", "aws:iam/role:")):
            report.notes.append(f"{view.label(resource)}: {rule.property} unknown until "
                                "apply; not checked for being taken")

    s3, iam = client("s3", home), client("iam", home)
    own_buckets: set[str] | None = None
    for named in named_resources([view], unknown):
        label, name, urn = view.label(named.resource), named.name, named.resource["urn"]
        if named.rule.namespace == "s3-bucket":
            try:
                s3.head_bucket(Bucket=name)
            except ClientError as error:
                code = _error_code(error)
                if code in ("404", "NoSuchBucket"):
                    continue
                if code not in ("403", "301", "AccessDenied"):
                    raise
            if own_buckets is None:
                own_buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
            if name in own_buckets:
                report.add("name-taken", urn, f"{label}: bucket '{name}' already exists in "
                           "this account; `pulumi import` it or choose another name")
            else:
                report.add("name-taken", urn, f"{label}: bucket '{name}' is owned by another "
                           "account (bucket names are global); choose another name")
        elif named.rule.type == "aws:iam/role:Role":
            try:
                iam.get_role(RoleName=name)
            except ClientError as error:
                if _error_code(error) == "NoSuchEntity":
                    continue
                raise
            report.add("name-taken", urn, f"{label}: IAM role '{name}' already exists in "
                       f"account {report.account}; `pulumi import` it or choose another name")


def preflight(view: StackPlan, client: ClientFactory) -> PreflightReport:
    """Ask the account; AWS errors other than the expected answers raise PreflightError."""
    from botocore.exceptions import BotoCoreError, ClientError

    report = PreflightReport(stack=view.stack)
    regions = plan_regions(view)
    # Global calls (STS, IAM, S3, the region list) go to a region enabled in every account.
    home = HOME_REGIONS.get(partition_of(regions[0])["partition"] if regions and partition_of(
        regions[0]) else "aws", regions[0] if regions else "us-east-1")
    try:
        check_account(view, client, home, report)
        enabled = check_regions(regions, client, home, report)
        check_quotas(view, enabled, client, report)
        check_names(view, client, home, report)
    except ClientError as error:
        operation = getattr(error, "operation_name", "an AWS call")
        raise PreflightError(f"{operation} failed: {_error_code(error)}; preflight needs read-"
                             "only access to STS, EC2, EKS, Service Quotas, S3 and IAM") from None
    except BotoCoreError as error:
        raise PreflightError(f"AWS unreachable or no credentials: {error}; pass --profile "
                             "or --endpoint-url, or set AWS credentials") from None
    return report
