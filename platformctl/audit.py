"""Live residency audit: which restricted data stores of the account sit (or replicate)
outside a jurisdiction's regions.

Two halves, kept apart so the rules are testable without AWS:
- pure functions (`data_class`, `is_restricted`, `findings_for`) over `Store` records;
- collectors that turn boto3 answers into `Store`s (read-only calls, paginated), through a
  client factory that takes an `endpoint_url` (tests point it at moto's server).

Restricted data follows the policy pack: a `data-class` tag other than `public-content`;
an untagged store is restricted (fail closed). A replication target whose region cannot be
determined is reported too (fail closed).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

DATA_CLASS_TAG = "data-class"
UNRESTRICTED_CLASS = "public-content"
UNKNOWN_REGION = "unknown"

STORED_OUTSIDE = "stored-outside"
REPLICATED_OUTSIDE = "replicated-outside"

# Read-only IAM actions the audit calls (the README lists them for the audit role).
IAM_ACTIONS = (
    "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketTagging",
    "s3:GetReplicationConfiguration",
    "rds:DescribeDBClusters", "rds:DescribeDBInstances",
    "dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:ListTagsOfResource",
    "elasticache:DescribeReplicationGroups", "elasticache:ListTagsForResource",
)

ClientFactory = Callable[[str, str], Any]
"""(service, region) -> boto3 client."""


class AuditError(Exception):
    """An AWS call failed so the audit cannot be complete: `str()` is the one line to show."""

    def __init__(self, call: str, region: str, code: str) -> None:
        self.call, self.region, self.code = call, region, code
        super().__init__(f"{call} in {region} failed: {code}; the audit is incomplete, "
                         "check the credentials (read-only access to S3, RDS, DynamoDB and "
                         "ElastiCache) and the endpoint")


# ---------------------------------------------------------------------------------------
# Pure part: records and rules.


@dataclass(frozen=True)
class Target:
    """A copy of a store's data elsewhere (replication destination, replica)."""

    name: str
    region: str  # UNKNOWN_REGION when it cannot be determined


@dataclass(frozen=True)
class Store:
    """One data store as the audit sees it."""

    kind: str  # s3-bucket | rds-cluster | rds-instance | dynamodb-table | elasticache-...
    name: str
    region: str
    tags: Mapping[str, str] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True, order=True)
class Finding:
    """A restricted store outside the jurisdiction, or a copy of one outside it."""

    region: str
    kind: str
    name: str
    issue: str  # STORED_OUTSIDE | REPLICATED_OUTSIDE
    target: str | None
    target_region: str | None
    data_class: str | None  # None: untagged


def data_class(tags: Mapping[str, str]) -> str | None:
    """The store's `data-class` tag value, None when untagged."""
    return tags.get(DATA_CLASS_TAG)


def is_restricted(tags: Mapping[str, str]) -> bool:
    """Restricted unless tagged exactly `data-class=public-content` (untagged: restricted)."""
    return data_class(tags) != UNRESTRICTED_CLASS


def findings_for(stores: Iterable[Store], allowed_regions: Iterable[str]) -> list[Finding]:
    """Every restricted store outside `allowed_regions`, and every copy of a restricted store
    outside them (or in an unknown region), sorted."""
    allowed = set(allowed_regions)
    findings: set[Finding] = set()
    for store in stores:
        if not is_restricted(store.tags):
            continue
        label = data_class(store.tags)
        if store.region not in allowed:
            findings.add(Finding(store.region, store.kind, store.name, STORED_OUTSIDE,
                                 None, None, label))
        for target in store.targets:
            if target.region not in allowed:
                findings.add(Finding(store.region, store.kind, store.name, REPLICATED_OUTSIDE,
                                     target.name, target.region, label))
    return sorted(findings, key=_sort_key)


def _sort_key(finding: Finding) -> tuple[str, ...]:
    return tuple("" if v is None else v for v in asdict(finding).values())


def bucket_region(location_constraint: str | None) -> str:
    """GetBucketLocation's answer as a region: null is us-east-1, `EU` is eu-west-1."""
    if not location_constraint:
        return "us-east-1"
    return "eu-west-1" if location_constraint == "EU" else location_constraint


def arn_region(arn: str) -> str:
    """The region field of an ARN; UNKNOWN_REGION if it has none (e.g. an S3 bucket ARN)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" and parts[3] else UNKNOWN_REGION


def tag_dict(tag_list: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """[{'Key': k, 'Value': v}, ...] -> {k: v}."""
    return {t["Key"]: t.get("Value", "") for t in tag_list or ()}


def dynamodb_store(table: Mapping[str, Any], tags: Mapping[str, str], region: str) -> Store:
    """A DescribeTable `Table` (with its global-table `Replicas`) as a Store."""
    replicas = tuple(Target(f"{table['TableName']}@{r['RegionName']}", r["RegionName"])
                     for r in table.get("Replicas") or () if r.get("RegionName") != region)
    return Store("dynamodb-table", table["TableName"], region, dict(tags), replicas)


def rds_targets(replica_ids: Iterable[str], region: str) -> tuple[Target, ...]:
    """Read replicas: cross-region ones are ARNs, same-region ones plain identifiers."""
    return tuple(Target(r, arn_region(r) if r.startswith("arn:") else region)
                 for r in replica_ids)


@dataclass
class AuditResult:
    jurisdiction: str
    allowed_regions: list[str]
    scanned_regions: list[str]
    stores: list[Store]
    findings: list[Finding]
    notes: list[str]

    def to_json(self) -> str:
        """Stable, sorted JSON."""
        counts: dict[str, int] = {}
        for store in self.stores:
            counts[store.kind] = counts.get(store.kind, 0) + 1
        document = {
            "jurisdiction": self.jurisdiction,
            "allowed_regions": sorted(self.allowed_regions),
            "scanned_regions": sorted(self.scanned_regions),
            "stores_scanned": counts,
            "findings": [asdict(f) for f in self.findings],
            "notes": self.notes,
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------
# AWS part: collectors.


def client_factory(endpoint_url: str | None = None, session: Any = None) -> ClientFactory:
    """Cached boto3 clients per (service, region), all sent to `endpoint_url` when given."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    config = Config(user_agent_extra="platformctl-audit", connect_timeout=10, read_timeout=30)
    cache: dict[tuple[str, str], Any] = {}

    def client(service: str, region: str) -> Any:
        key = (service, region)
        if key not in cache:
            # A bad profile or endpoint fails here, before any call: the same one line.
            try:
                active = session or boto3.session.Session()
                cache[key] = active.client(service, region_name=region,
                                           endpoint_url=endpoint_url, config=config)
            except (BotoCoreError, ValueError) as error:
                raise AuditError(f"{service}: creating the client", region,
                                 f"{type(error).__name__} ({error})") from None
        return cache[key]

    return client


def _error_code(error: Exception) -> str:
    from botocore.exceptions import ClientError, NoCredentialsError

    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code") or "ClientError")
    if isinstance(error, NoCredentialsError):
        return "NoCredentials (no AWS credentials found)"
    return type(error).__name__


@contextlib.contextmanager
def _aws(call: str, region: str, tolerate: Sequence[str] = ()) -> Iterator[None]:
    """Translate a failed AWS call into one AuditError line; codes in `tolerate` propagate."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        if _error_code(error) in tolerate:
            raise
        raise AuditError(call, region, _error_code(error)) from None
    except BotoCoreError as error:
        raise AuditError(call, region, _error_code(error)) from None


def _optional(call: str, region: str, missing: str, fn: Callable[[], Any]) -> Any:
    """Run `fn`; None when AWS answers with the `missing` error code (e.g. no tags)."""
    from botocore.exceptions import ClientError

    try:
        with _aws(call, region, tolerate=(missing,)):
            return fn()
    except ClientError:
        return None


def s3_stores(client: ClientFactory, regions: Sequence[str] | None,
              home_region: str) -> list[Store]:
    """Buckets located in `regions` (every bucket when None), with their replication
    destinations' regions. ListBuckets is global: called once, from `home_region`."""
    s3 = client("s3", home_region)
    names: list[str] = []
    with _aws("s3:ListBuckets", home_region):
        for page in s3.get_paginator("list_buckets").paginate():
            names += [b["Name"] for b in page.get("Buckets", ())]

    locations: dict[str, str] = {}

    def location(bucket: str, tolerate_errors: bool = False) -> str:
        if bucket not in locations:
            if tolerate_errors:  # another account's bucket may refuse us: unknown, fail closed
                from botocore.exceptions import ClientError
                try:
                    with _aws(f"s3:GetBucketLocation({bucket})", home_region,
                              tolerate=("AccessDenied", "NoSuchBucket", "AllAccessDisabled")):
                        answer = s3.get_bucket_location(Bucket=bucket)
                except ClientError:
                    return UNKNOWN_REGION
            else:
                with _aws(f"s3:GetBucketLocation({bucket})", home_region):
                    answer = s3.get_bucket_location(Bucket=bucket)
            locations[bucket] = bucket_region(answer.get("LocationConstraint"))
        return locations[bucket]

    stores = []
    for name in sorted(names):
        region = location(name)
        if regions is not None and region not in regions:
            continue
        regional = client("s3", region)
        tagging = _optional(f"s3:GetBucketTagging({name})", region, "NoSuchTagSet",
                            lambda n=name, c=regional: c.get_bucket_tagging(Bucket=n))
        replication = _optional(f"s3:GetBucketReplication({name})", region,
                                "ReplicationConfigurationNotFoundError",
                                lambda n=name, c=regional: c.get_bucket_replication(Bucket=n))
        targets = []
        rules = ((replication or {}).get("ReplicationConfiguration") or {}).get("Rules", ())
        for rule in rules:
            if rule.get("Status") != "Enabled":
                continue
            arn = rule.get("Destination", {}).get("Bucket", "")
            destination = arn.rsplit(":", 1)[-1]
            target_region = location(destination, tolerate_errors=True) if destination \
                else UNKNOWN_REGION
            targets.append(Target(destination or arn, target_region))
        stores.append(Store("s3-bucket", name, region, tag_dict((tagging or {}).get("TagSet")),
                            tuple(targets)))
    return stores


def rds_stores(client: ClientFactory, region: str) -> list[Store]:
    """DB clusters (Aurora, DocumentDB, Multi-AZ clusters) and stand-alone DB instances;
    instances of a cluster are covered by their cluster."""
    rds = client("rds", region)
    stores = []
    with _aws("rds:DescribeDBClusters", region):
        for page in rds.get_paginator("describe_db_clusters").paginate():
            for cluster in page.get("DBClusters", ()):
                stores.append(Store("rds-cluster", cluster["DBClusterIdentifier"], region,
                                    tag_dict(cluster.get("TagList")),
                                    rds_targets(cluster.get("ReadReplicaIdentifiers") or (),
                                                region)))
    with _aws("rds:DescribeDBInstances", region):
        for page in rds.get_paginator("describe_db_instances").paginate():
            for instance in page.get("DBInstances", ()):
                if instance.get("DBClusterIdentifier"):
                    continue
                replicas = instance.get("ReadReplicaDBInstanceIdentifiers") or ()
                stores.append(Store("rds-instance", instance["DBInstanceIdentifier"], region,
                                    tag_dict(instance.get("TagList")),
                                    rds_targets(replicas, region)))
    return stores


def dynamodb_stores(client: ClientFactory, region: str) -> list[Store]:
    """Tables with their global-table replicas."""
    dynamodb = client("dynamodb", region)
    stores = []
    with _aws("dynamodb:ListTables", region):
        names = [n for page in dynamodb.get_paginator("list_tables").paginate()
                 for n in page.get("TableNames", ())]
    for name in names:
        with _aws(f"dynamodb:DescribeTable({name})", region):
            table = dynamodb.describe_table(TableName=name)["Table"]
        tags: list[dict[str, str]] = []
        with _aws(f"dynamodb:ListTagsOfResource({name})", region):
            for page in dynamodb.get_paginator("list_tags_of_resource").paginate(
                    ResourceArn=table["TableArn"]):
                tags += page.get("Tags", ())
        stores.append(dynamodb_store(table, tag_dict(tags), region))
    return stores


def elasticache_stores(client: ClientFactory, region: str) -> list[Store]:
    """Replication groups (Redis / Valkey). Global datastore members are not resolved."""
    elasticache = client("elasticache", region)
    stores = []
    with _aws("elasticache:DescribeReplicationGroups", region):
        groups = [g for page in elasticache.get_paginator("describe_replication_groups")
                  .paginate() for g in page.get("ReplicationGroups", ())]
    for group in groups:
        name = group["ReplicationGroupId"]
        with _aws(f"elasticache:ListTagsForResource({name})", region):
            tags = elasticache.list_tags_for_resource(ResourceName=group["ARN"])
        stores.append(Store("elasticache-replication-group", name, region,
                            tag_dict(tags.get("TagList"))))
    return stores


REGIONAL_COLLECTORS: tuple[Callable[[ClientFactory, str], list[Store]], ...] = (
    rds_stores, dynamodb_stores, elasticache_stores)


def audit(jurisdiction: str, allowed_regions: Sequence[str], regions: Sequence[str],
          client: ClientFactory, all_bucket_locations: bool = False) -> AuditResult:
    """Collect the stores of `regions` and judge them against `allowed_regions`.

    S3 buckets belong to their location: only those located in `regions` are audited,
    unless `all_bucket_locations` (the default scan, so a bucket in a region the catalog
    does not list is not missed)."""
    stores = s3_stores(client, None if all_bucket_locations else regions, regions[0])
    for region in regions:
        for collect in REGIONAL_COLLECTORS:
            stores += collect(client, region)
    notes = ["RDS instances of a cluster are audited through their cluster",
             "ElastiCache global datastores and Aurora global clusters are not resolved; "
             "the regions of their members are audited as stores"]
    # The live copy paths of policies/copy_paths.py (subscriptions, targets, deliveries, ...).
    from platformctl.audit_copies import collect_copies, copy_findings
    copies = copy_findings(collect_copies(client, regions), allowed_regions)
    findings = sorted({*findings_for(stores, allowed_regions), *copies}, key=_sort_key)
    return AuditResult(jurisdiction, list(allowed_regions), list(regions), stores, findings,
                       notes)


def render_text_report(result: AuditResult, console: Any) -> None:
    """A rich table of the findings, then a one-line summary and the notes."""
    from rich.table import Table

    allowed = ", ".join(sorted(result.allowed_regions))
    if result.findings:
        table = Table(title=f"Restricted data outside jurisdiction {result.jurisdiction} "
                            f"({allowed})")
        for column in ("region", "store", "name", "data-class", "issue", "target"):
            table.add_column(column)
        for f in result.findings:
            target = f"{f.target} ({f.target_region})" if f.target is not None else ""
            table.add_row(f.region, f.kind, f.name, f.data_class or "(untagged)", f.issue,
                          target)
        console.print(table)
    console.print(f"{len(result.stores)} data stores audited in "
                  f"{', '.join(result.scanned_regions)}; {len(result.findings)} finding(s) "
                  f"outside {result.jurisdiction} ({allowed})", highlight=False, soft_wrap=True)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}", highlight=False, soft_wrap=True)
