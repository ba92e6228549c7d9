"""`platformctl bootstrap-state` and `state-backends` against moto's standalone server on
127.0.0.1 (no real endpoint is ever contacted), for every jurisdiction environments/ ships."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from environments.loader import EnvironmentData
from platformctl import state_backend
from platformctl.cli import app
from platformctl.docs import REPO
from platformctl.state_backend import (
    PUBLIC_ACCESS_BLOCK,
    Backend,
    BucketSettings,
    bucket_findings,
    bucket_policy,
    key_findings,
    lifecycle_rules,
    shipped_stack_jurisdictions,
)
from tests.moto_server import closed_port_url

DATA = EnvironmentData()
JURISDICTIONS = sorted(DATA.jurisdictions)
MOTO_ACCOUNT = "123456789012"


def _regions(jurisdiction: str) -> list[str]:
    return list(DATA.jurisdictions[jurisdiction].regions)


def _outside(jurisdiction: str) -> str:
    return next(r for r in sorted(DATA.aws_zones) if r not in _regions(jurisdiction))


# ---- pure: the baseline checks ---------------------------------------------------------

BACKEND = Backend("xx", MOTO_ACCOUNT, "eu-west-1")
KEY_ARN = f"arn:aws:kms:eu-west-1:{MOTO_ACCOUNT}:key/1234abcd"
GOOD_BUCKET = BucketSettings(
    region="eu-west-1", versioning="Enabled",
    encryption={"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                       "KMSMasterKeyID": KEY_ARN},
                "BucketKeyEnabled": True},
    public_access_block=dict(PUBLIC_ACCESS_BLOCK), ownership="BucketOwnerEnforced",
    policy=bucket_policy(BACKEND.bucket, "aws"), lifecycle=lifecycle_rules())
GOOD_KEY = {"KeyState": "Enabled", "KeyManager": "CUSTOMER", "KeyUsage": "ENCRYPT_DECRYPT",
            "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS", "MultiRegion": False}


def test_the_baseline_itself_has_no_findings() -> None:
    assert bucket_findings(GOOD_BUCKET, BACKEND, {KEY_ARN}, "aws") == []
    assert key_findings(GOOD_KEY, rotation_enabled=True) == []


@pytest.mark.parametrize(("change", "finding"), [
    ({"region": "us-east-1"}, "it is in us-east-1 (want eu-west-1)"),
    ({"versioning": "Suspended"}, "versioning is Suspended (want Enabled)"),
    ({"versioning": None}, "versioning is off"),
    ({"encryption": None}, "default encryption is not set"),
    ({"encryption": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                     "BucketKeyEnabled": True}}, "default encryption is AES256"),
    ({"encryption": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
                     "BucketKeyEnabled": True}}, "default encryption uses key aws/s3"),
    ({"encryption": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                            "KMSMasterKeyID": KEY_ARN}}},
     "S3 Bucket Key is off"),
    ({"public_access_block": {**PUBLIC_ACCESS_BLOCK, "RestrictPublicBuckets": False}},
     "public access block lacks RestrictPublicBuckets"),
    ({"public_access_block": None}, "public access block lacks BlockPublicAcls"),
    ({"ownership": "ObjectWriter"}, "object ownership is ObjectWriter"),
    ({"policy": None}, "no bucket policy statement denies requests without TLS"),
    ({"policy": bucket_policy("another-bucket", "aws")}, "denies requests without TLS"),
    ({"policy": bucket_policy(BACKEND.bucket, "aws-cn")}, "denies requests without TLS"),
    ({"lifecycle": None}, "no enabled lifecycle rule expires noncurrent versions"),
    ({"lifecycle": [{**lifecycle_rules()[0], "Status": "Disabled"}]}, "noncurrent"),
    ({"lifecycle": [{**lifecycle_rules()[0], "Filter": {"Prefix": "logs/"}}]}, "noncurrent"),
])
def test_each_weaker_bucket_setting_is_found(change: dict, finding: str) -> None:
    findings = bucket_findings(replace(GOOD_BUCKET, **change), BACKEND, {KEY_ARN}, "aws")
    assert len(findings) == 1 and finding in findings[0], findings


def test_a_bucket_encrypted_with_a_missing_key_is_found() -> None:
    assert bucket_findings(GOOD_BUCKET, BACKEND, set(), "aws") == [
        f"default encryption uses key {KEY_ARN} (want {BACKEND.alias})"]


@pytest.mark.parametrize(("change", "finding"), [
    ({"KeyState": "PendingDeletion"}, "KeyState is PendingDeletion (want Enabled)"),
    ({"KeySpec": "RSA_2048"}, "KeySpec is RSA_2048"),
    ({"Origin": "EXTERNAL"}, "Origin is EXTERNAL"),
    ({"MultiRegion": True}, "multi-Region key"),
])
def test_each_weaker_key_setting_is_found(change: dict, finding: str) -> None:
    findings = key_findings({**GOOD_KEY, **change}, rotation_enabled=True)
    assert len(findings) == 1 and finding in findings[0], findings


def test_rotation_off_is_found() -> None:
    assert key_findings(GOOD_KEY, rotation_enabled=False) == [
        "automatic key rotation is off (want on)"]


def test_names_are_scoped_by_jurisdiction_account_and_region() -> None:
    backends = {Backend(j, a, r) for j in ("us", "eu") for a in ("111111111111", MOTO_ACCOUNT)
                for r in ("us-east-1", "eu-west-1")}
    assert len({b.bucket for b in backends}) == len(backends)  # S3 names are global
    # aliases are per account and region already: distinct per jurisdiction there
    assert Backend("us", MOTO_ACCOUNT, "us-east-1").alias != \
        Backend("eu", MOTO_ACCOUNT, "us-east-1").alias
    for backend in backends:
        state_backend.check_names(backend)


def test_a_jurisdiction_key_that_cannot_name_a_bucket_is_refused() -> None:
    with pytest.raises(state_backend.StateBackendError, match="cannot name an S3 bucket"):
        state_backend.backend_region("Saudi_Arabia", ["me-south-1"], None)
    with pytest.raises(state_backend.StateBackendError, match="breaks S3's naming rules"):
        state_backend.check_names(Backend("x" * 40, MOTO_ACCOUNT, "me-central-1"))


# ---- against moto ----------------------------------------------------------------------

def _client(url: str, service: str, region: str):  # noqa: ANN202
    return boto3.client(service, region_name=region, endpoint_url=url)


def _run(url: str, *args: str):  # noqa: ANN202
    return CliRunner().invoke(app, [*args, "--endpoint-url", url])


def _inventory(url: str, regions: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Every bucket of the account, and the KMS aliases we could have made, per region."""
    buckets = [b["Name"] for b in _client(url, "s3", "us-east-1").list_buckets()["Buckets"]]
    aliases = {r: sorted(a["AliasName"] for a in _client(url, "kms", r).list_aliases()["Aliases"]
                         if not a["AliasName"].startswith("alias/aws/"))
               for r in regions}
    return buckets, aliases


def _assert_baseline(url: str, backend: Backend) -> str:
    """The bucket and key exist in the backend's region with every setting; the key ARN."""
    kms = _client(url, "kms", backend.region)
    key = kms.describe_key(KeyId=backend.alias)["KeyMetadata"]
    assert key["Arn"].split(":")[3] == backend.region
    assert (key["KeyManager"], key["KeySpec"], key["MultiRegion"]) == (
        "CUSTOMER", "SYMMETRIC_DEFAULT", False)
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True

    s3 = _client(url, "s3", backend.region)
    name = backend.bucket
    location = s3.get_bucket_location(Bucket=name)["LocationConstraint"]
    assert (location or "us-east-1") == backend.region
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                          "KMSMasterKeyID": key["Arn"]}
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True}
    assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    [statement] = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}}
    assert set(statement["Resource"]) == {f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"}
    [lifecycle] = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert lifecycle["Status"] == "Enabled"
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] > 0
    return key["Arn"]


def _use_lines(backend: Backend) -> list[str]:
    return [f"pulumi login 's3://{backend.bucket}?region={backend.region}&awssdk=v2'",
            *(f"pulumi stack init {stack} --secrets-provider "
              f"'awskms://{backend.alias}?region={backend.region}'"
              for stack, j in sorted(shipped_stack_jurisdictions(REPO).items())
              if j == backend.jurisdiction)]


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_bootstrap_creates_the_backend_in_the_jurisdiction_once(aws: str,
                                                                jurisdiction: str) -> None:
    backend = Backend(jurisdiction, MOTO_ACCOUNT, _regions(jurisdiction)[0])
    first = _run(aws, "bootstrap-state", jurisdiction)
    assert first.exit_code == 0, first.output
    _assert_baseline(aws, backend)
    lines = [line.strip() for line in first.stdout.splitlines()]
    assert sum(line.startswith("created:") for line in lines) == 2
    for use in _use_lines(backend):
        assert use in lines
    before = _inventory(aws, _regions(jurisdiction))
    assert before == ([backend.bucket], {r: [backend.alias] if r == backend.region else []
                                         for r in _regions(jurisdiction)})

    second = _run(aws, "bootstrap-state", jurisdiction)
    assert second.exit_code == 0, second.output
    assert "nothing changed:" in second.stdout
    assert "created:" not in second.stdout
    assert second.stdout.count("unchanged:") == 2
    assert _inventory(aws, _regions(jurisdiction)) == before
    assert len(_client(aws, "kms", backend.region).list_keys()["Keys"]) == 1
    for use in _use_lines(backend):
        assert use in second.stdout


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_a_region_outside_the_jurisdiction_is_refused_with_nothing_created(
        aws: str, jurisdiction: str) -> None:
    outside = _outside(jurisdiction)
    result = _run(aws, "bootstrap-state", jurisdiction, "--region", outside)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --region: {outside} is not a region of jurisdiction {jurisdiction}; use one "
        f"of {', '.join(_regions(jurisdiction))} (environments/jurisdictions.yaml)"]
    assert _inventory(aws, [outside, *_regions(jurisdiction)]) == (
        [], {r: [] for r in [outside, *_regions(jurisdiction)]})


@pytest.mark.parametrize("jurisdiction", [j for j in JURISDICTIONS if len(_regions(j)) > 1])
def test_region_picks_another_region_of_the_jurisdiction(aws: str, jurisdiction: str) -> None:
    backend = Backend(jurisdiction, MOTO_ACCOUNT, _regions(jurisdiction)[-1])
    result = _run(aws, "bootstrap-state", jurisdiction, "--region", backend.region)
    assert result.exit_code == 0, result.output
    _assert_baseline(aws, backend)
    assert _inventory(aws, _regions(jurisdiction))[0] == [backend.bucket]
    assert f"s3://{backend.bucket}?region={backend.region}&awssdk=v2" in result.stdout


def test_dry_run_creates_nothing(aws: str) -> None:
    jurisdiction = JURISDICTIONS[0]
    result = _run(aws, "bootstrap-state", jurisdiction, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("would create:") == 2
    assert _inventory(aws, _regions(jurisdiction)) == ([], {r: [] for r in
                                                            _regions(jurisdiction)})


def test_profile_reaches_the_printed_lines(aws: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[deploy]\naws_access_key_id = testing\n"
                           "aws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    jurisdiction = JURISDICTIONS[0]
    result = _run(aws, "bootstrap-state", jurisdiction, "--profile", "deploy")
    assert result.exit_code == 0, result.output
    assert "awssdk=v2&profile=deploy'" in result.stdout
    missing = _run(aws, "bootstrap-state", jurisdiction, "--profile", "nobody")
    assert missing.exit_code == 2
    assert missing.stderr.strip().splitlines()[0].startswith(
        "error: --profile: The config profile (nobody) could not be found")


def test_an_existing_weaker_bucket_is_reported_not_changed(aws: str) -> None:
    jurisdiction = JURISDICTIONS[0]
    backend = Backend(jurisdiction, MOTO_ACCOUNT, _regions(jurisdiction)[0])
    s3 = _client(aws, "s3", backend.region)
    location = {} if backend.region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": backend.region}}
    s3.create_bucket(Bucket=backend.bucket, **location)
    s3.put_object(Bucket=backend.bucket, Key=".pulumi/meta.yaml", Body=b"version: 1\n")

    result = _run(aws, "bootstrap-state", jurisdiction)
    assert result.exit_code == 1, result.output
    assert f"S3 bucket {backend.bucket}: versioning is off (want Enabled)" in result.stdout
    assert "not changed:" in result.stdout and "pulumi login" not in result.stdout
    assert "Status" not in s3.get_bucket_versioning(Bucket=backend.bucket)  # untouched
    assert _inventory(aws, [backend.region])[1] == {backend.region: []}  # no key either


def test_an_existing_key_without_rotation_is_reported_not_changed(aws: str) -> None:
    jurisdiction = JURISDICTIONS[0]
    backend = Backend(jurisdiction, MOTO_ACCOUNT, _regions(jurisdiction)[0])
    kms = _client(aws, "kms", backend.region)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName=backend.alias, TargetKeyId=key["KeyId"])

    result = _run(aws, "bootstrap-state", jurisdiction)
    assert result.exit_code == 1, result.output
    assert "automatic key rotation is off (want on)" in result.stdout
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is False
    assert _inventory(aws, [backend.region])[0] == []


def _fail_policy_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the bucket-policy step fail with an AWS error answer (NoSuchBucket)."""
    failing = tuple((call, (lambda s3, b, key, partition: s3.put_bucket_policy(
        Bucket="no-such-bucket-here", Policy="{}")) if call == "s3:PutBucketPolicy" else apply)
        for call, apply in state_backend.BUCKET_STEPS)
    monkeypatch.setattr(state_backend, "BUCKET_STEPS", failing)


def test_a_half_made_bucket_that_holds_state_is_not_finished(
        aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finishing is only for the empty bucket of an interrupted run: once anything was
    written to it, its weaker settings are reported like anyone else's."""
    jurisdiction = JURISDICTIONS[0]
    backend = Backend(jurisdiction, MOTO_ACCOUNT, _regions(jurisdiction)[0])
    with monkeypatch.context() as patch:
        _fail_policy_step(patch)
        assert _run(aws, "bootstrap-state", jurisdiction).exit_code == 2
    s3 = _client(aws, "s3", backend.region)
    s3.put_object(Bucket=backend.bucket, Key=".pulumi/meta.yaml", Body=b"version: 1\n")
    result = _run(aws, "bootstrap-state", jurisdiction)
    assert result.exit_code == 1, result.output
    assert "no bucket policy statement denies requests without TLS" in result.stdout
    assert "finish" not in result.stdout
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=backend.bucket)


def test_a_failure_after_the_key_is_named_and_a_rerun_finishes(
        aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bucket's policy step fails (an AWS error answer) after the key and the bucket
    exist: the line says what was created; a rerun reuses the key and finishes the empty
    bucket it tagged; a third run changes nothing."""
    jurisdiction = JURISDICTIONS[0]
    backend = Backend(jurisdiction, MOTO_ACCOUNT, _regions(jurisdiction)[0])
    with monkeypatch.context() as patch:
        _fail_policy_step(patch)
        first = _run(aws, "bootstrap-state", jurisdiction)
    assert first.exit_code == 2
    [line] = first.stderr.strip().splitlines()
    assert line.startswith(f"error: s3:PutBucketPolicy({backend.bucket}) in {backend.region} "
                           "failed: NoSuchBucket;")
    assert f"created KMS key {backend.alias} (arn:aws:kms:{backend.region}:" in line
    assert f"S3 bucket {backend.bucket} (settings incomplete); rerun" in line

    second = _run(aws, "bootstrap-state", jurisdiction)
    assert second.exit_code == 0, second.output
    assert "finish the interrupted bootstrap" in second.stdout
    key_arn = _assert_baseline(aws, backend)
    assert [k["KeyArn"] for k in _client(aws, "kms", backend.region).list_keys()["Keys"]] == [
        key_arn]
    assert "nothing changed:" in _run(aws, "bootstrap-state", jurisdiction).stdout


def test_a_key_made_then_a_refused_bucket_is_named_and_a_rerun_reuses_the_key(
        aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """CreateBucket is refused (an AWS error answer) after the key exists: the line names
    the key; the rerun creates only the bucket, encrypted with that same key."""
    jurisdiction = JURISDICTIONS[0]
    backend = Backend(jurisdiction, MOTO_ACCOUNT, _regions(jurisdiction)[0])

    def refused(client, backend, key_arn, partition, created):  # noqa: ANN001, ANN202
        with state_backend._aws(f"s3:CreateBucket({backend.bucket})", backend.region):
            client("s3", backend.region).create_bucket(Bucket="x")  # refused by S3

    with monkeypatch.context() as patch:
        patch.setattr(state_backend, "_create_bucket", refused)
        first = _run(aws, "bootstrap-state", jurisdiction)
    assert first.exit_code == 2
    [line] = first.stderr.strip().splitlines()
    assert re.match(rf"error: s3:CreateBucket\({backend.bucket}\) in {backend.region} "
                    r"failed: \w+;", line), line
    assert f"created KMS key {backend.alias} (" in line
    assert _inventory(aws, [backend.region])[0] == []

    second = _run(aws, "bootstrap-state", jurisdiction)
    assert second.exit_code == 0, second.output
    assert second.stdout.count("created:") == 1 and "unchanged: KMS key" in second.stdout
    key_arn = _assert_baseline(aws, backend)
    assert [k["KeyArn"] for k in _client(aws, "kms", backend.region).list_keys()["Keys"]] == [
        key_arn]


def test_unknown_jurisdiction_is_one_line(aws: str) -> None:
    result = _run(aws, "bootstrap-state", "mars")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: environments/jurisdictions.yaml: no jurisdiction 'mars'; use one of "
        f"{', '.join(JURISDICTIONS)}"]


def test_missing_credentials_is_one_line_and_creates_nothing(
        aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    jurisdiction = JURISDICTIONS[0]
    region = _regions(jurisdiction)[0]
    result = _run(aws, "bootstrap-state", jurisdiction)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: sts:GetCallerIdentity in {region} failed: NoCredentials (no AWS credentials "
        "found); check the credentials (--profile), their permissions (README: "
        "bootstrap-state) and --endpoint-url"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert _inventory(aws, [region]) == ([], {region: []})


def test_unreachable_endpoint_is_one_line(aws: str) -> None:
    result = _run(closed_port_url(), "bootstrap-state", JURISDICTIONS[0])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "sts:GetCallerIdentity" in line and "EndpointConnectionError" in line


def test_state_backends_names_each_stacks_jurisdiction_backend(aws: str) -> None:
    stacks = shipped_stack_jurisdictions(REPO)
    assert stacks, "no shipped stacks to show"
    made = stacks[sorted(stacks)[0]]
    assert _run(aws, "bootstrap-state", made).exit_code == 0

    result = _run(aws, "state-backends", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["stack"] for r in rows] == sorted(stacks)
    for row in rows:
        jurisdiction = stacks[row["stack"]]
        backend = Backend(jurisdiction, MOTO_ACCOUNT, _regions(jurisdiction)[0])
        assert row["jurisdiction"] == jurisdiction
        assert row["region"] in _regions(jurisdiction)
        assert row["backend"] == f"s3://{backend.bucket}?region={backend.region}&awssdk=v2"
        assert row["secrets_provider"] == f"awskms://{backend.alias}?region={backend.region}"
        assert row["bucket_exists"] is (jurisdiction == made)


def test_state_backends_offline_with_an_account(aws: str) -> None:
    result = CliRunner().invoke(app, ["state-backends", "--account", "111122223333",
                                      "--endpoint-url", closed_port_url(), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["bucket_exists"] is None and r["account"] == "111122223333" for r in rows)
    bad = _run(aws, "state-backends", "--account", "12345")
    assert bad.exit_code == 2
    assert bad.stderr.strip().splitlines() == [
        "error: --account: '12345' is not a 12-digit AWS account id"]


def test_readme_lists_every_iam_action_bootstrap_uses() -> None:
    readme = (REPO / "README.md").read_text()
    assert [a for a in state_backend.IAM_ACTIONS if f"`{a}`" not in readme] == []
