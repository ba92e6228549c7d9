"""The offline runner hands policies what the engine's analyzer hands them: the real
pulumi_policy classes, props behind the SDK's unknown-checking proxy, providers with props."""

from __future__ import annotations

from pathlib import Path

import pulumi_aws as aws
from pulumi_policy import (
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import UnknownValueError, _DictProxy

from platformctl.policy_runner import DEFAULT_PACK_DIR, Pack, evaluate, load_pack
from tests.plans import run_offline
from tests.policy_cases import STACK_CONFIG, good_bucket, in_region

FOREIGN_PACK = '''
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def no_buckets(args, report_violation):
    if args.resource_type == "aws:s3/bucket:Bucket":
        report_violation(f"bucket {args.name} found")

PolicyPack(name="foreign", enforcement_level=EnforcementLevel.MANDATORY,
           policies=[ResourceValidationPolicy(name="no-buckets", description="No buckets.",
                                              validate=no_buckets)])
'''


def _plan():
    return run_offline(in_region(lambda o: good_bucket("media", o)), config=STACK_CONFIG).plan


def test_stack_policies_receive_the_real_argument_classes() -> None:
    seen = {}

    def spy(args, report_violation):
        seen["args"] = args

    from pulumi_policy import StackValidationPolicy
    pack = Pack(name="spy", directory=Path("."), policies=[
        StackValidationPolicy(name="spy", description="spy", validate=spy)])
    evaluate(_plan(), pack, {}, STACK_CONFIG)
    args = seen["args"]
    assert isinstance(args, StackValidationArgs)
    bucket = next(r for r in args.resources if r.resource_type == "aws:s3/bucket:Bucket")
    assert isinstance(bucket, PolicyResource)
    assert isinstance(bucket.opts, PolicyResourceOptions)
    assert isinstance(bucket.props, _DictProxy)
    assert isinstance(bucket.provider, PolicyProviderResource)
    assert bucket.provider.props["region"] == "us-east-1"
    assert bucket.parent is not None and bucket.parent.resource_type == "pulumi:pulumi:Stack"
    pab = next(r for r in args.resources if r.name == "media-pab")
    assert bucket in pab.dependencies


def test_unknown_values_raise_through_the_proxy_and_become_advisory() -> None:
    plan = _plan()
    bucket = next(r for r in plan["resources"] if r["type"] == "aws:s3/bucket:Bucket")
    bucket["props"]["acl"] = "[unknown]"

    def reads_acl(args, report_violation):
        for resource in args.resources:
            if resource.resource_type == "aws:s3/bucket:Bucket":
                resource.props["acl"]

    from pulumi_policy import StackValidationPolicy
    pack = Pack(name="x", directory=Path("."), policies=[
        StackValidationPolicy(name="reads-acl", description="reads acl", validate=reads_acl)])
    (v,) = evaluate(plan, pack, {}, STACK_CONFIG)
    assert v["enforcement"] == "advisory"
    assert "can't be known during preview" in v["message"]
    # Our pack treats the unknown as unknown instead of breaking.
    ours = evaluate(plan, load_pack(DEFAULT_PACK_DIR), None, STACK_CONFIG)
    assert not any("during preview" in v["message"] for v in ours)
    try:
        from platformctl.policy_props import props_proxy
        props_proxy({"a": "[unknown]"})["a"]
    except UnknownValueError:
        pass
    else:  # pragma: no cover
        raise AssertionError("the proxy must raise on unknowns")


def test_resource_policies_of_a_foreign_pack_run_through_its_main(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text(FOREIGN_PACK)
    pack = load_pack(tmp_path)
    assert pack.name == "foreign" and [p.name for p in pack.policies] == ["no-buckets"]
    (v,) = evaluate(_plan(), pack, None, STACK_CONFIG)
    assert (v["policy"], v["enforcement"]) == ("no-buckets", "mandatory")
    assert v["urn"].endswith("::media")


def test_resource_validation_args_are_real(tmp_path: Path) -> None:
    seen = []

    def spy(args, report_violation):
        seen.append(args)

    from pulumi_policy import ResourceValidationPolicy
    pack = Pack(name="x", directory=Path("."), policies=[
        ResourceValidationPolicy(name="spy", description="spy", validate=spy)])
    evaluate(_plan(), pack, None, STACK_CONFIG)
    assert seen and all(isinstance(a, ResourceValidationArgs) for a in seen)


def test_importing_the_pack_does_not_start_the_analyzer() -> None:
    import policies  # noqa: F401 - the import itself is the test: it returns

    main = (DEFAULT_PACK_DIR / "__main__.py").read_text()
    assert "PolicyPack(" in main
    for module in DEFAULT_PACK_DIR.glob("*.py"):
        if module.name != "__main__.py":
            assert "PolicyPack(" not in module.read_text(), module


def test_default_provider_region_comes_from_stack_config() -> None:
    plan = run_offline(lambda: aws.cloudwatch.LogGroup("audit", tags={"data-class": "telemetry"}),
                       config={"aws:region": "me-south-1"}).plan
    config = {"residency-region-allowed": {"allowedRegions": ["us-east-1"]}}
    found = evaluate(plan, load_pack(DEFAULT_PACK_DIR), config, {"aws:region": "me-south-1"})
    (v,) = [v for v in found if v["policy"] == "residency-region-allowed"]
    assert "in me-south-1" in v["message"]
