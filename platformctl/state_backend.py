"""Pulumi state and secrets kept in the jurisdiction: an S3 state bucket and a KMS key per
jurisdiction, created with boto3 by `platformctl bootstrap-state`.

State files hold resource ids, endpoints and outputs; a backend outside the jurisdiction
would be a transfer of its own. The backend of a jurisdiction lives in one of its regions,
under names derived from (jurisdiction, account, region) so two accounts or jurisdictions
never collide (S3 bucket names are global; KMS aliases are per account and region).

The run is read first, write second: every input and every existing resource is checked
before anything is created. An existing resource weaker than the baseline is reported and
left alone; nothing is ever deleted. Creation order is key, then bucket (the bucket's
default encryption names the key). If a step fails after something was created, the error
says what exists; a rerun reuses it (the names are deterministic) and finishes the bucket
only while it is the empty bucket this command tagged as its own.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformctl.audit import AuditError, ClientFactory, bucket_region, client_factory, tag_dict
from platformctl.audit import _aws as _audit_call

BUCKET_PREFIX = "pulumi-state"
ALIAS_PREFIX = "alias/pulumi-secrets"
# Noncurrent state versions are the undo history of every `pulumi up`; 90 days covers a
# quarter of rollbacks. The current version of a checkpoint never expires.
NONCURRENT_VERSION_DAYS = 90
ABORT_INCOMPLETE_UPLOAD_DAYS = 7
LIFECYCLE_RULE_ID = "expire-noncurrent-state-versions"
TLS_SID = "DenyInsecureTransport"
# Tags of what this command creates; OWNER_TAG on a bucket lets a rerun finish a bootstrap
# that failed half way (only while the bucket is still empty).
OWNER_TAG = ("managed-by", "platformctl-bootstrap-state")
PURPOSE_TAG = "purpose"
JURISDICTION_TAG = "jurisdiction"
# S3 general-purpose bucket names: 3-63 of [a-z0-9-], starting and ending alphanumeric
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
JURISDICTION_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# IAM actions bootstrap-state calls (the README lists them).
IAM_ACTIONS = (
    "sts:GetCallerIdentity",
    "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:CreateKey", "kms:EnableKeyRotation",
    "kms:CreateAlias", "kms:TagResource",
    "s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration", "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketOwnershipControls", "s3:GetBucketPolicy", "s3:GetLifecycleConfiguration",
    "s3:GetBucketTagging", "s3:ListBucketVersions",
    "s3:CreateBucket", "s3:PutBucketTagging", "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
    "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration",
)


class StateBackendError(Exception):
    """Bad input or a failed AWS call: `str()` is the one line to show (exit 2)."""


@dataclass(frozen=True)
class Backend:
    """Where one jurisdiction's Pulumi state and secrets key live."""

    jurisdiction: str
    account: str
    region: str

    @property
    def bucket(self) -> str:
        return f"{BUCKET_PREFIX}-{self.jurisdiction}-{self.account}-{self.region}"

    @property
    def alias(self) -> str:
        return f"{ALIAS_PREFIX}-{self.jurisdiction}"

    def login_url(self, profile: str | None = None) -> str:
        return f"s3://{self.bucket}?region={self.region}&awssdk=v2" + _profile_param(profile)

    def secrets_provider(self, profile: str | None = None) -> str:
        return f"awskms://{self.alias}?region={self.region}" + _profile_param(profile)


def _profile_param(profile: str | None) -> str:
    return f"&profile={profile}" if profile else ""


def backend_region(jurisdiction: str, regions: Sequence[str], region: str | None) -> str:
    """The jurisdiction's first region, or `region` when it belongs to the jurisdiction."""
    if not JURISDICTION_NAME.match(jurisdiction):
        raise StateBackendError(
            f"environments/jurisdictions.yaml: '{jurisdiction}' cannot name an S3 bucket; "
            "use lowercase letters, digits and single hyphens for jurisdiction keys")
    if region is None:
        return regions[0]
    if region not in regions:
        raise StateBackendError(
            f"--region: {region} is not a region of jurisdiction {jurisdiction}; use one of "
            f"{', '.join(regions)} (environments/jurisdictions.yaml)")
    return region


def check_names(backend: Backend) -> None:
    """The derived names fit AWS's limits (a long jurisdiction key could break them)."""
    if not BUCKET_NAME.match(backend.bucket):
        raise StateBackendError(
            f"bucket name {backend.bucket} breaks S3's naming rules (3-63 characters of "
            "a-z, 0-9 and hyphens); shorten the jurisdiction key in "
            "environments/jurisdictions.yaml")


# ---------------------------------------------------------------------------------------
# The baseline, as the exact configuration created and the checks of an existing one.


def bucket_policy(bucket: str, partition: str) -> dict[str, Any]:
    """Deny every request that does not use TLS."""
    arn = f"arn:{partition}:s3:::{bucket}"
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": TLS_SID, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


def lifecycle_rules() -> list[dict[str, Any]]:
    return [{"ID": LIFECYCLE_RULE_ID, "Status": "Enabled", "Filter": {},
             "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_VERSION_DAYS},
             "AbortIncompleteMultipartUpload": {
                 "DaysAfterInitiation": ABORT_INCOMPLETE_UPLOAD_DAYS}}]


PUBLIC_ACCESS_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                       "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def key_findings(metadata: dict[str, Any], rotation_enabled: bool) -> list[str]:
    """How an existing key (DescribeKey's KeyMetadata) falls short of the baseline."""
    wanted = {"KeyState": "Enabled", "KeyManager": "CUSTOMER", "KeyUsage": "ENCRYPT_DECRYPT",
              "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS"}
    findings = [f"{name} is {metadata.get(name)} (want {value})"
                for name, value in wanted.items() if metadata.get(name) != value]
    if metadata.get("MultiRegion"):
        findings.append("it is a multi-Region key (replicas may sit outside the jurisdiction; "
                        "want a single-Region key)")
    if not rotation_enabled:
        findings.append("automatic key rotation is off (want on)")
    return findings


@dataclass(frozen=True)
class BucketSettings:
    """An existing bucket's configuration as S3 answers (None: not configured)."""

    region: str
    versioning: str | None
    encryption: dict[str, Any] | None  # the first ServerSideEncryptionConfiguration rule
    public_access_block: dict[str, bool] | None
    ownership: str | None
    policy: dict[str, Any] | None
    lifecycle: list[dict[str, Any]] | None
    tags: dict[str, str] = field(default_factory=dict)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _denies_plain_http(statement: dict[str, Any], bucket_arns: set[str]) -> bool:
    condition = statement.get("Condition") or {}
    secure = {**condition.get("Bool", {}), **condition.get("BoolIfExists", {})}
    return (statement.get("Effect") == "Deny"
            and statement.get("Principal") in ("*", {"AWS": "*"})
            and "s3:*" in _as_list(statement.get("Action"))
            and str(_as_list(secure.get("aws:SecureTransport"))[0]).lower() == "false"
            and bucket_arns <= set(_as_list(statement.get("Resource"))))


def _expires_noncurrent(rule: dict[str, Any]) -> bool:
    whole_bucket = (rule.get("Filter") in (None, {}, {"Prefix": ""})
                    and rule.get("Prefix", "") == "")
    return (rule.get("Status") == "Enabled" and whole_bucket
            and bool((rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")))


def bucket_findings(settings: BucketSettings, backend: Backend, key_ids: set[str],
                    partition: str) -> list[str]:
    """How an existing bucket falls short of the baseline. `key_ids` are the spellings of
    the jurisdiction's key (id, ARN, alias, alias ARN); empty when the key does not exist."""
    findings = []
    if settings.region != backend.region:
        findings.append(f"it is in {settings.region} (want {backend.region})")
    if settings.versioning != "Enabled":
        findings.append(f"versioning is {settings.versioning or 'off'} (want Enabled)")
    default = (settings.encryption or {}).get("ApplyServerSideEncryptionByDefault") or {}
    if default.get("SSEAlgorithm") not in ("aws:kms", "aws:kms:dsse"):
        findings.append(f"default encryption is {default.get('SSEAlgorithm') or 'not set'} "
                        f"(want aws:kms with {backend.alias})")
    elif default.get("KMSMasterKeyID") not in key_ids:
        findings.append(f"default encryption uses key {default.get('KMSMasterKeyID') or 'aws/s3'}"
                        f" (want {backend.alias})")
    if settings.encryption is not None and not settings.encryption.get("BucketKeyEnabled"):
        findings.append("S3 Bucket Key is off (want on)")
    block = settings.public_access_block or {}
    off = [name for name in PUBLIC_ACCESS_BLOCK if not block.get(name)]
    if off:
        findings.append(f"public access block lacks {', '.join(off)}")
    if settings.ownership != "BucketOwnerEnforced":
        findings.append(f"object ownership is {settings.ownership or 'not set'} "
                        "(want BucketOwnerEnforced)")
    arn = f"arn:{partition}:s3:::{backend.bucket}"
    statements = (settings.policy or {}).get("Statement") or []
    if not any(_denies_plain_http(s, {arn, f"{arn}/*"}) for s in _as_list(statements)):
        findings.append("no bucket policy statement denies requests without TLS "
                        "(aws:SecureTransport false)")
    if not any(_expires_noncurrent(r) for r in settings.lifecycle or ()):
        findings.append("no enabled lifecycle rule expires noncurrent versions")
    return findings


# ---------------------------------------------------------------------------------------
# AWS calls.


@contextlib.contextmanager
def _aws(call: str, region: str, tolerate: Sequence[str] = ()) -> Iterator[None]:
    """One line per failed AWS call (the audit's translation, this command's advice)."""
    try:
        with _audit_call(call, region, tolerate):
            yield
    except AuditError as error:
        raise StateBackendError(f"{error.call} in {error.region} failed: {error.code}; check "
                                "the credentials (--profile), their permissions (README: "
                                "bootstrap-state) and --endpoint-url") from None


def _optional(call: str, region: str, missing: str, fn: Callable[[], Any]) -> Any:
    """`fn()`, or None when AWS answers `missing` (the setting is not configured)."""
    from botocore.exceptions import ClientError

    try:
        with _aws(call, region, tolerate=(missing,)):
            return fn()
    except ClientError:
        return None


def _caller(client: ClientFactory, region: str) -> tuple[str, str]:
    """(account id, partition) of the credentials."""
    with _aws("sts:GetCallerIdentity", region):
        identity = client("sts", region).get_caller_identity()
    return identity["Account"], identity["Arn"].split(":")[1]


@dataclass(frozen=True)
class KeyState:
    arn: str
    ids: frozenset[str]  # every spelling S3 may report for it
    findings: list[str]


def _read_key(client: ClientFactory, backend: Backend) -> KeyState | None:
    region = backend.region
    metadata = _optional(f"kms:DescribeKey({backend.alias})", region, "NotFoundException",
                         lambda: client("kms", region).describe_key(KeyId=backend.alias))
    if metadata is None:
        return None
    metadata = metadata["KeyMetadata"]
    with _aws(f"kms:GetKeyRotationStatus({backend.alias})", region):
        rotation = client("kms", region).get_key_rotation_status(KeyId=metadata["KeyId"])
    alias_arn = metadata["Arn"].rsplit(":", 1)[0] + f":{backend.alias}"
    ids = frozenset({metadata["KeyId"], metadata["Arn"], backend.alias, alias_arn})
    return KeyState(metadata["Arn"], ids,
                    key_findings(metadata, bool(rotation.get("KeyRotationEnabled"))))


def _bucket_exists(client: ClientFactory, backend: Backend) -> bool:
    from botocore.exceptions import ClientError

    call = f"s3:HeadBucket({backend.bucket})"
    try:
        with _aws(call, backend.region, tolerate=("404", "403", "NoSuchBucket")):
            client("s3", backend.region).head_bucket(Bucket=backend.bucket,
                                                     ExpectedBucketOwner=backend.account)
    except ClientError as error:
        if error.response["Error"]["Code"] == "403":
            raise StateBackendError(
                f"{call} in {backend.region} failed: 403; the bucket exists but account "
                f"{backend.account} cannot read it (another account owns it, or the "
                "credentials lack s3:ListBucket)") from None
        return False
    return True


def _read_bucket(client: ClientFactory, backend: Backend) -> BucketSettings:
    name, region = backend.bucket, backend.region
    s3 = client("s3", region)
    with _aws(f"s3:GetBucketLocation({name})", region):
        location = s3.get_bucket_location(Bucket=name).get("LocationConstraint")
    with _aws(f"s3:GetBucketVersioning({name})", region):
        versioning = s3.get_bucket_versioning(Bucket=name).get("Status")
    encryption = _optional(f"s3:GetBucketEncryption({name})", region,
                           "ServerSideEncryptionConfigurationNotFoundError",
                           lambda: s3.get_bucket_encryption(Bucket=name))
    block = _optional(f"s3:GetPublicAccessBlock({name})", region,
                      "NoSuchPublicAccessBlockConfiguration",
                      lambda: s3.get_public_access_block(Bucket=name))
    ownership = _optional(f"s3:GetBucketOwnershipControls({name})", region,
                          "OwnershipControlsNotFoundError",
                          lambda: s3.get_bucket_ownership_controls(Bucket=name))
    policy = _optional(f"s3:GetBucketPolicy({name})", region, "NoSuchBucketPolicy",
                       lambda: s3.get_bucket_policy(Bucket=name))
    lifecycle = _optional(f"s3:GetBucketLifecycleConfiguration({name})", region,
                          "NoSuchLifecycleConfiguration",
                          lambda: s3.get_bucket_lifecycle_configuration(Bucket=name))
    tags = _optional(f"s3:GetBucketTagging({name})", region, "NoSuchTagSet",
                     lambda: s3.get_bucket_tagging(Bucket=name))
    rules = ((encryption or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules")
    ownership_rules = ((ownership or {}).get("OwnershipControls") or {}).get("Rules") or [{}]
    return BucketSettings(
        region=bucket_region(location), versioning=versioning,
        encryption=rules[0] if rules else None,
        public_access_block=(block or {}).get("PublicAccessBlockConfiguration"),
        ownership=ownership_rules[0].get("ObjectOwnership"),
        policy=json.loads(policy["Policy"]) if policy else None,
        lifecycle=(lifecycle or {}).get("Rules"),
        tags=tag_dict((tags or {}).get("TagSet")))


def _is_empty(client: ClientFactory, backend: Backend) -> bool:
    with _aws(f"s3:ListObjectVersions({backend.bucket})", backend.region):
        answer = client("s3", backend.region).list_object_versions(Bucket=backend.bucket,
                                                                   MaxKeys=1)
    return not answer.get("Versions") and not answer.get("DeleteMarkers")


def _tags(backend: Backend, purpose: str) -> list[tuple[str, str]]:
    return [OWNER_TAG, (PURPOSE_TAG, purpose), (JURISDICTION_TAG, backend.jurisdiction)]


def _create_key(client: ClientFactory, backend: Backend, created: list[str]) -> str:
    kms, region = client("kms", backend.region), backend.region
    with _aws("kms:CreateKey", region):
        metadata = kms.create_key(
            Description=f"Pulumi secrets and state encryption, jurisdiction "
                        f"{backend.jurisdiction}",
            KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT", MultiRegion=False,
            Tags=[{"TagKey": k, "TagValue": v} for k, v in _tags(backend, "pulumi-secrets")],
        )["KeyMetadata"]
    created.append(f"KMS key {metadata['Arn']} (no alias yet: a rerun would not find it)")
    # An alias-less key would be invisible to a rerun: alias it before anything else.
    with _aws(f"kms:CreateAlias({backend.alias})", region):
        kms.create_alias(AliasName=backend.alias, TargetKeyId=metadata["KeyId"])
    created[-1] = f"KMS key {backend.alias} ({metadata['Arn']})"
    with _aws(f"kms:EnableKeyRotation({backend.alias})", region):
        kms.enable_key_rotation(KeyId=metadata["KeyId"])
    return metadata["Arn"]


# The bucket's settings in the order they are applied (public access is blocked first).
BucketStep = tuple[str, Callable[[Any, Backend, str, str], Any]]
BUCKET_STEPS: tuple[BucketStep, ...] = (
    ("s3:PutPublicAccessBlock", lambda s3, b, key, partition: s3.put_public_access_block(
        Bucket=b.bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)),
    ("s3:PutBucketOwnershipControls", lambda s3, b, key, partition:
        s3.put_bucket_ownership_controls(Bucket=b.bucket, OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})),
    ("s3:PutBucketVersioning", lambda s3, b, key, partition: s3.put_bucket_versioning(
        Bucket=b.bucket, VersioningConfiguration={"Status": "Enabled"})),
    ("s3:PutBucketEncryption", lambda s3, b, key, partition: s3.put_bucket_encryption(
        Bucket=b.bucket, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                   "KMSMasterKeyID": key},
            "BucketKeyEnabled": True}]})),
    ("s3:PutBucketPolicy", lambda s3, b, key, partition: s3.put_bucket_policy(
        Bucket=b.bucket, Policy=json.dumps(bucket_policy(b.bucket, partition)))),
    ("s3:PutBucketLifecycleConfiguration", lambda s3, b, key, partition:
        s3.put_bucket_lifecycle_configuration(
            Bucket=b.bucket, LifecycleConfiguration={"Rules": lifecycle_rules()})),
)


def _create_bucket(client: ClientFactory, backend: Backend, key_arn: str,
                   partition: str, created: list[str]) -> None:
    s3, name, region = client("s3", backend.region), backend.bucket, backend.region
    location = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    with _aws(f"s3:CreateBucket({name})", region):
        s3.create_bucket(Bucket=name, ObjectOwnership="BucketOwnerEnforced", **location)
    created.append(f"S3 bucket {name} (settings incomplete)")
    _finish_bucket(client, backend, key_arn, partition)
    created[-1] = f"S3 bucket {name}"


def _finish_bucket(client: ClientFactory, backend: Backend, key_arn: str,
                   partition: str) -> None:
    """Tag the bucket as ours first (so a rerun may finish it), then apply every setting."""
    s3, name, region = client("s3", backend.region), backend.bucket, backend.region
    with _aws(f"s3:PutBucketTagging({name})", region):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [
            {"Key": k, "Value": v} for k, v in _tags(backend, "pulumi-state")]})
    for call, apply in BUCKET_STEPS:
        with _aws(f"{call}({name})", region):
            apply(s3, backend, key_arn, partition)


# ---------------------------------------------------------------------------------------
# The command.


@dataclass
class Outcome:
    backend: Backend
    dry_run: bool
    unchanged: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # done, or to do when dry_run
    findings: list[str] = field(default_factory=list)  # weaker existing settings, not changed


CREATE, FINISH, KEEP = "create", "finish", "keep"


def _judge_bucket(client: ClientFactory, backend: Backend, key: KeyState | None,
                  partition: str, outcome: Outcome) -> str:
    """CREATE (missing), FINISH (the empty bucket of an interrupted run, tagged by us) or
    KEEP (as required, or weaker and reported in `outcome.findings`)."""
    name = backend.bucket
    if not _bucket_exists(client, backend):
        outcome.changes.append(f"S3 bucket {name} in {backend.region}: versioning, SSE-KMS "
                               f"with {backend.alias} and a bucket key, public access blocked, "
                               "BucketOwnerEnforced, TLS-only policy, noncurrent versions "
                               f"expire after {NONCURRENT_VERSION_DAYS} days")
        return CREATE
    settings = _read_bucket(client, backend)
    weaker = bucket_findings(settings, backend, set(key.ids if key else ()), partition)
    if not weaker:
        outcome.unchanged.append(f"S3 bucket {name}")
    elif (OWNER_TAG in settings.tags.items() and settings.region == backend.region
          and _is_empty(client, backend)):
        outcome.changes.append(f"S3 bucket {name}: finish the interrupted bootstrap "
                               f"({'; '.join(weaker)})")
        return FINISH
    else:
        outcome.findings += [f"S3 bucket {name}: {f}" for f in weaker]
    return KEEP


def bootstrap(jurisdiction: str, regions: Sequence[str], region: str | None,
              client: ClientFactory, dry_run: bool = False) -> Outcome:
    """Create (or confirm) the state bucket and secrets key of `jurisdiction`."""
    chosen = backend_region(jurisdiction, regions, region)
    account, partition = _caller(client, chosen)
    backend = Backend(jurisdiction, account, chosen)
    check_names(backend)
    outcome = Outcome(backend, dry_run)

    key = _read_key(client, backend)
    if key is None:
        outcome.changes.append(f"KMS key {backend.alias} in {chosen}: symmetric, single-Region, "
                               "automatic rotation")
    elif key.findings:
        outcome.findings += [f"KMS key {backend.alias} ({key.arn}): {f}" for f in key.findings]
    else:
        outcome.unchanged.append(f"KMS key {backend.alias} ({key.arn})")
    bucket = _judge_bucket(client, backend, key, partition, outcome)

    if outcome.findings or dry_run or not outcome.changes:
        return outcome
    created: list[str] = []
    try:
        key_arn = key.arn if key is not None else _create_key(client, backend, created)
        if bucket == CREATE:
            _create_bucket(client, backend, key_arn, partition, created)
        elif bucket == FINISH:
            _finish_bucket(client, backend, key_arn, partition)
    except StateBackendError as error:
        if not created:
            raise
        raise StateBackendError(f"{error}; created {', '.join(created)}; rerun after fixing "
                                "the cause: it reuses the key and finishes an empty bucket "
                                "it tagged") from None
    return outcome


def session_factory(profile: str | None, endpoint_url: str | None) -> ClientFactory:
    """boto3 clients of `profile` (default chain when None), sent to `endpoint_url`."""
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        session = boto3.session.Session(profile_name=profile)
    except BotoCoreError as error:
        raise StateBackendError(f"--profile: {error}; use a profile of your AWS config "
                                "(aws configure list-profiles)") from None
    return client_factory(endpoint_url, session)


@dataclass(frozen=True)
class StackBackend:
    stack: str
    jurisdiction: str
    backend: Backend
    exists: bool | None  # None: not checked


def stack_backends(stack_jurisdictions: dict[str, str], regions: dict[str, Sequence[str]],
                   client: ClientFactory, account: str | None = None) -> list[StackBackend]:
    """The backend each stack's jurisdiction uses. With `account` nothing is called and
    the default region is shown; otherwise the caller's account, and the first region of
    the jurisdiction where the bucket exists (the default region when none has it)."""
    checked = account is None
    found: dict[str, tuple[Backend, bool | None]] = {}
    for name in sorted(set(stack_jurisdictions.values())):
        first = backend_region(name, regions[name], None)
        if checked:
            account, _ = _caller(client, first)
        candidates = [Backend(name, account, r) for r in regions[name]]
        existing = [b for b in candidates if checked and _bucket_exists(client, b)]
        found[name] = (existing or candidates)[0], (bool(existing) if checked else None)
    return [StackBackend(stack, j, *found[j]) for stack, j in sorted(stack_jurisdictions.items())]


def shipped_stack_jurisdictions(directory: Path) -> dict[str, str]:
    """stack -> jurisdiction for every stack file of the project, as environments/ decides
    it (through the loader `plan` and `policy-config` use)."""
    from platformctl.policy_config import stack_spec
    from platformctl.project import Project

    return {stack: stack_spec(directory, stack).jurisdiction_name
            for stack in Project.load(directory).stacks()}


def render_outcome(outcome: Outcome, stacks: Sequence[str], profile: str | None,
                   console: Any) -> None:
    """What was kept, created (or would be) and found weaker; then the lines to use it."""
    backend = outcome.backend

    def say(label: str, text: str) -> None:
        console.print(f"[bold]{label}[/bold] {text}", highlight=False, soft_wrap=True)

    say("backend", f"of jurisdiction {backend.jurisdiction}: account {backend.account}, "
        f"region {backend.region}")
    for line in outcome.unchanged:
        say("unchanged:", line)
    for line in outcome.changes:
        say("would create:" if outcome.dry_run else "created:", line)
    for line in outcome.findings:
        say("[red]weaker:[/red]", line)
    if outcome.findings:
        say("not changed:", f"{len(outcome.findings)} existing setting(s) weaker than the "
            "baseline; bootstrap-state never changes an existing resource: fix them, then rerun")
        return
    if not outcome.changes:
        say("nothing changed:", "the state bucket and secrets key exist with every setting")
    console.print("[bold]use it:[/bold]" if not outcome.dry_run
                  else "[bold]after a real run, use it:[/bold]")
    lines = [f"pulumi login '{backend.login_url(profile)}'"]
    lines += [f"pulumi stack init {stack} --secrets-provider "
              f"'{backend.secrets_provider(profile)}'" for stack in stacks or ["STACK"]]
    for line in lines:
        console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)


def render_stack_backends(rows: Sequence[StackBackend], profile: str | None,
                          console: Any) -> None:
    """Per stack: its jurisdiction, whether the backend exists, and the two URLs, each on a
    line of its own so they copy whole."""
    for row in rows:
        exists = {None: "not checked", True: "bucket exists",
                  False: f"bucket missing: run platformctl bootstrap-state {row.jurisdiction}"}
        console.print(f"[bold]{row.stack}[/bold]: jurisdiction {row.jurisdiction}, backend in "
                      f"{row.backend.region} ({exists[row.exists]})", highlight=False,
                      soft_wrap=True)
        for label, url in (("backend", row.backend.login_url(profile)),
                           ("secrets provider", row.backend.secrets_provider(profile))):
            console.print(f"  {label}: {url}", highlight=False, markup=False, soft_wrap=True)


def stack_backends_json(rows: Sequence[StackBackend], profile: str | None) -> str:
    return json.dumps([{"stack": r.stack, "jurisdiction": r.jurisdiction,
                        "account": r.backend.account, "region": r.backend.region,
                        "bucket": r.backend.bucket, "alias": r.backend.alias,
                        "backend": r.backend.login_url(profile),
                        "secrets_provider": r.backend.secrets_provider(profile),
                        "bucket_exists": r.exists} for r in rows], indent=2, sort_keys=True) + "\n"
