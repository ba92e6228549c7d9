"""Live residency audit: which restricted data stores of the account sit (or replicate)
outside a jurisdiction's regions.

The regions scanned are the account's own: every region enabled for it
(`ec2:DescribeRegions`), or those named with `--regions` (checked against the same
answer). Copies that live in other regions are resolved from the stores themselves: S3
replication, DynamoDB replicas, RDS read replicas, Aurora global clusters, ElastiCache
global datastores and multi-Region KMS keys. SQS queues are stores too (their messages).

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
import textwrap
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

DATA_CLASS_TAG = "data-class"
DEFAULT_HOME_REGION = "us-east-1"
UNRESTRICTED_CLASS = "public-content"
UNKNOWN_REGION = "unknown"

STORED_OUTSIDE = "stored-outside"
REPLICATED_OUTSIDE = "replicated-outside"

# Read-only IAM actions the audit calls (the README lists them for the audit role).
IAM_ACTIONS = (
    "ec2:DescribeRegions",
    "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketTagging",
    "s3:GetReplicationConfiguration",
    "rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:DescribeGlobalClusters",
    "dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:ListTagsOfResource",
    "elasticache:DescribeReplicationGroups", "elasticache:ListTagsForResource",
    "elasticache:DescribeGlobalReplicationGroups",
    "kms:ListKeys", "kms:DescribeKey", "kms:ListResourceTags",
    "sqs:ListQueues", "sqs:ListQueueTags",
)

ClientFactory = Callable[[str, str], Any]
"""(service, region) -> boto3 client."""


class AuditError(Exception):
    """An AWS call failed so the audit cannot be complete: `str()` is the one line to show."""

    def __init__(self, call: str, region: str, code: str) -> None:
        self.call, self.region, self.code = call, region, code
        super().__init__(f"{call} in {region} failed: {code}; the audit is incomplete, "
                         "check the credentials (read-only access to EC2 regions, S3, RDS, "
                         "DynamoDB, ElastiCache, KMS and SQS) and the endpoint")


class AuditInputError(Exception):
    """A region to scan that the account does not have (or has not enabled)."""


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
    group: str | None = None  # the global datastore it says it belongs to, if any


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
    sessions = [session] if session is not None else []
    creating = threading.Lock()  # clients are thread-safe, creating them is not

    def client(service: str, region: str) -> Any:
        key = (service, region)
        with creating:
            if key not in cache:
                # A bad profile or endpoint fails here, before any call: the same one line.
                try:
                    if not sessions:  # one session: service models load once, not per client
                        sessions.append(boto3.session.Session())
                    cache[key] = sessions[0].client(service, region_name=region,
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
    from botocore.parsers import ResponseParserError

    try:
        yield
    except ClientError as error:
        if _error_code(error) in tolerate:
            raise
        raise AuditError(call, region, _error_code(error)) from None
    except (BotoCoreError, ResponseParserError) as error:  # the latter: an answer not AWS's
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
    """Replication groups (Redis / Valkey); global-datastore members are resolved later."""
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
                            tag_dict(tags.get("TagList")),
                            group=(group.get("GlobalReplicationGroupInfo") or {}).get(
                                "GlobalReplicationGroupId")))
    return stores


def kms_stores(client: ClientFactory, region: str) -> list[Store]:
    """Customer-managed multi-Region keys (primary or replica), with the regions of the other
    keys of their set: key material there can decrypt the data they protect."""
    kms = client("kms", region)
    stores = []
    with _aws("kms:ListKeys", region):
        keys = [k["KeyId"] for page in kms.get_paginator("list_keys").paginate()
                for k in page.get("Keys", ())]
    for key_id in keys:
        with _aws(f"kms:DescribeKey({key_id})", region):
            key = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        if not key.get("MultiRegion") or key.get("KeyManager") != "CUSTOMER" or key.get(
                "KeyState") == "PendingDeletion":
            continue
        config = key.get("MultiRegionConfiguration") or {}
        members = [config.get("PrimaryKey") or {}, *(config.get("ReplicaKeys") or ())]
        targets = tuple(Target(f"{key_id}@{m['Region']}", m["Region"]) for m in members
                        if m.get("Region") and m["Region"] != region)
        tags: list[dict[str, str]] = []
        with _aws(f"kms:ListResourceTags({key_id})", region):
            for page in kms.get_paginator("list_resource_tags").paginate(KeyId=key_id):
                tags += page.get("Tags", ())
        stores.append(Store("kms-multi-region-key", key_id, region,
                            {t["TagKey"]: t.get("TagValue", "") for t in tags}, targets))
    return stores


def sqs_stores(client: ClientFactory, region: str) -> list[Store]:
    """Queues: their messages are data at rest for up to 14 days (a work queue of a web tier
    carries user data). SQS copies nothing across regions itself (a dead-letter queue must
    be in its source's region); fan-out through SNS is a live copy path (audit_copies)."""
    sqs = client("sqs", region)
    stores = []
    with _aws("sqs:ListQueues", region):
        urls = [u for page in sqs.get_paginator("list_queues").paginate()
                for u in page.get("QueueUrls", ())]
    for url in urls:
        name = url.rsplit("/", 1)[-1]
        with _aws(f"sqs:ListQueueTags({name})", region):
            tags = sqs.list_queue_tags(QueueUrl=url).get("Tags") or {}
        stores.append(Store("sqs-queue", name, region, dict(tags)))
    return stores


REGIONAL_COLLECTORS: tuple[Callable[[ClientFactory, str], list[Store]], ...] = (
    rds_stores, dynamodb_stores, elasticache_stores, kms_stores, sqs_stores)


SCAN_THREADS = 8
"""Regions scanned at once: a whole-account scan waits on ~30 regions' endpoints."""


def regional_stores(client: ClientFactory, regions: Sequence[str]) -> list[Store]:
    """Every collector's stores in every region, in region order (regions in parallel)."""
    def collect(region: str) -> list[Store]:
        return [store for collector in REGIONAL_COLLECTORS for store in collector(client, region)]

    with ThreadPoolExecutor(SCAN_THREADS) as pool:
        return [store for found in pool.map(collect, regions) for store in found]


# ---------------------------------------------------------------------------------------
# Regions: the account's own answer, never a hand list.


def enabled_regions(client: ClientFactory, home_region: str) -> list[str]:
    """Every region enabled for the account (DescribeRegions without AllRegions answers
    exactly those: opt-in-not-required and opted-in)."""
    with _aws("ec2:DescribeRegions", home_region):
        answer = client("ec2", home_region).describe_regions()
    return sorted(r["RegionName"] for r in answer.get("Regions", ()))


def checked_regions(client: ClientFactory, home_region: str,
                    requested: Sequence[str]) -> list[str]:
    """`requested` (deduplicated, in order) when each is a region AWS knows for the account
    (enabled or not: a region not enabled then fails its first call, as one line); else
    AuditInputError naming it."""
    with _aws("ec2:DescribeRegions", home_region):
        answer = client("ec2", home_region).describe_regions(AllRegions=True)
    known = sorted(r["RegionName"] for r in answer.get("Regions", ()))
    for region in requested:
        if region not in known:
            raise AuditInputError(f"--regions: {region} is not a region of this account "
                                  f"(ec2:DescribeRegions); use one of {', '.join(known)}")
    return list(dict.fromkeys(requested))


# ---------------------------------------------------------------------------------------
# Global resources: members of one logical store in several regions.

Groups = dict[str, list[tuple[str, str]]]
"""global resource id -> its members as (region, store name)."""


def aurora_global_groups(client: ClientFactory, home_region: str) -> Groups:
    """Aurora (and DocumentDB) global clusters and their member clusters."""
    rds = client("rds", home_region)
    groups: Groups = {}
    with _aws("rds:DescribeGlobalClusters", home_region):
        for page in rds.get_paginator("describe_global_clusters").paginate():
            for cluster in page.get("GlobalClusters", ()):
                groups[cluster["GlobalClusterIdentifier"]] = [
                    (arn_region(m.get("DBClusterArn", "")),
                     m.get("DBClusterArn", "").rsplit(":", 1)[-1])
                    for m in cluster.get("GlobalClusterMembers", ())]
    return groups


def elasticache_global_groups(client: ClientFactory,
                              regions: Sequence[str]) -> tuple[Groups, dict[str, list[str]]]:
    """ElastiCache global datastores seen from `regions`, and the regions where they could
    not be listed, by error code (not every region offers them; not every endpoint
    implements the call).
    A member whose datastore stays unlisted is judged fail-closed by `with_members`."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    groups: Groups = {}
    unresolved: dict[str, list[str]] = {}
    for region in regions:
        elasticache = client("elasticache", region)
        try:
            pages = list(elasticache.get_paginator("describe_global_replication_groups")
                         .paginate(ShowMemberInfo=True))
        except (BotoCoreError, ClientError, ResponseParserError) as error:
            unresolved.setdefault(_error_code(error), []).append(region)
            continue
        for group in (g for page in pages for g in page.get("GlobalReplicationGroups", ())):
            groups[group["GlobalReplicationGroupId"]] = [
                (m["ReplicationGroupRegion"], m["ReplicationGroupId"])
                for m in group.get("Members", ())]
    return groups, unresolved


def with_members(stores: Iterable[Store], kind: str, groups: Groups) -> list[Store]:
    """`stores` with, for each store of `kind` in a global resource, the other members as
    targets; a store that names a datastore nobody could list gets an unknown-region
    target (fail closed)."""
    group_of = {member: group for group, members in groups.items() for member in members}
    resolved = []
    for store in stores:
        group = store.group or group_of.get((store.region, store.name))
        if store.kind != kind or group is None:
            resolved.append(store)
            continue
        if group in groups:
            peers = tuple(Target(f"{group}/{name}", region) for region, name in groups[group]
                          if (region, name) != (store.region, store.name))
        else:
            peers = (Target(f"{group} (members not listed)", UNKNOWN_REGION),)
        extra = tuple(p for p in peers if p not in store.targets)
        resolved.append(Store(store.kind, store.name, store.region, store.tags,
                              store.targets + extra, group))
    return resolved


def audit(jurisdiction: str, allowed_regions: Sequence[str], regions: Sequence[str] | None,
          client: ClientFactory, home_region: str = DEFAULT_HOME_REGION) -> AuditResult:
    """Collect the stores of `regions` (None: every region enabled for the account, and
    every bucket wherever it is) and judge them against `allowed_regions`. Account-wide
    calls (regions, bucket listing, global clusters) go to `home_region`."""
    whole_account = regions is None
    scan = enabled_regions(client, home_region) if whole_account else checked_regions(
        client, home_region, regions)
    # S3 buckets belong to their location: a narrowed scan audits those located in it.
    stores = s3_stores(client, None if whole_account else scan, home_region)
    stores += regional_stores(client, scan)
    stores = with_members(stores, "rds-cluster", aurora_global_groups(client, home_region))
    cache_groups, unlisted = elasticache_global_groups(client, scan)
    stores = with_members(stores, "elasticache-replication-group", cache_groups)
    notes = ["RDS instances of a cluster are audited through their cluster"]
    for code, where in sorted(unlisted.items()):
        notes.append(f"ElastiCache global datastores could not be listed ({code}) in "
                     f"{', '.join(where)}; a replication group there that belongs to one is "
                     "reported with an unknown-region copy (fail closed)")
    # The live copy paths of policies/copy_paths.py (subscriptions, targets, deliveries, ...).
    from platformctl.audit_copies import collect_copies, copy_findings
    copies = copy_findings(collect_copies(client, scan), allowed_regions)
    findings = sorted({*findings_for(stores, allowed_regions), *copies}, key=_sort_key)
    return AuditResult(jurisdiction, list(allowed_regions), list(scan), stores, findings,
                       notes)


def default_home_region() -> str:
    """The region of the caller's AWS configuration, else us-east-1."""
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.session.Session().region_name or DEFAULT_HOME_REGION
    except BotoCoreError:  # e.g. an unknown profile: creating the first client says so
        return DEFAULT_HOME_REGION


REPORT_WIDTH = 80


def report_lines(result: AuditResult, width: int = REPORT_WIDTH) -> list[str]:
    """The text report as lines of at most `width` columns: one block per finding (where,
    what, why), then the summary and the notes."""
    allowed = ", ".join(sorted(result.allowed_regions))
    lines: list[str] = []

    def wrap(text: str, indent: str = "") -> None:
        lines.extend(textwrap.wrap(text, width, initial_indent=indent,
                                   subsequent_indent=indent + "  ", break_on_hyphens=False))

    if result.findings:
        wrap(f"Restricted data outside jurisdiction {result.jurisdiction} ({allowed}):")
        for f in result.findings:
            lines.append("")
            wrap(f"{f.region}  {f.kind}  {f.name}")
            data = f.data_class or "(untagged)"
            if f.issue == STORED_OUTSIDE:
                wrap(f"stored outside; data-class {data}", "  ")
            else:
                wrap(f"copied to {f.target} in {f.target_region}; data-class {data}", "  ")
        lines.append("")
    wrap(f"{len(result.stores)} data stores audited in {len(result.scanned_regions)} "
         f"region(s) ({', '.join(result.scanned_regions)}); {len(result.findings)} "
         f"finding(s) outside {result.jurisdiction} ({allowed})")
    for note in result.notes:
        wrap(f"note: {note}")
    return lines


def render_text_report(result: AuditResult, console: Any) -> None:
    """The findings, then a summary and the notes, readable at 80 columns."""
    for line in report_lines(result):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
