"""Pure parts of the offline engine: policy documents, typed answers, global types, verdicts."""

from __future__ import annotations

import json

import pytest

from platformctl.global_services import is_global
from platformctl.policy_document import policy_document
from platformctl.typed_answers import placeholder_answer, result_class
from platformctl.verdict import (
    EXIT_INCOMPLETE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_POLICY,
    Verdict,
    exit_code,
    of_plan,
    overall,
)


def test_policy_document_writes_single_values_as_strings_and_groups_conditions() -> None:
    document = json.loads(policy_document({"statements": [{
        "actions": ["s3:GetObject", "s3:ListBucket"], "resources": ["arn:aws:s3:::b/*"],
        "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::1:root"]}],
        "conditions": [{"test": "StringEquals", "variable": "aws:SourceVpc",
                        "values": ["vpc-1"]},
                       {"test": "StringEquals", "variable": "aws:SourceAccount",
                        "values": ["1", "2"]}]}]}))
    [statement] = document["Statement"]
    assert document["Version"] == "2012-10-17"
    assert statement == {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                         "Resource": "arn:aws:s3:::b/*",
                         "Principal": {"AWS": "arn:aws:iam::1:root"},
                         "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1",
                                                        "aws:SourceAccount": ["1", "2"]}}}


def test_policy_document_everyone_principal_and_deny() -> None:
    document = json.loads(policy_document({"statements": [{
        "effect": "Deny", "notActions": ["iam:*"], "notResources": ["*"],
        "principals": [{"type": "*", "identifiers": ["*"]}]}], "policyId": "p1"}))
    assert document["Id"] == "p1"
    assert document["Statement"] == [{"Effect": "Deny", "NotAction": "iam:*",
                                      "NotResource": "*", "Principal": "*"}]


def test_policy_document_sources_then_own_then_overrides_by_sid() -> None:
    source = json.dumps({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "a:1"},
                                       {"Sid": "B", "Effect": "Allow", "Action": "b:1"}]})
    override = json.dumps({"Statement": [{"Sid": "B", "Effect": "Deny", "Action": "b:2"},
                                         {"Effect": "Allow", "Action": "c:1"}]})
    document = json.loads(policy_document({
        "sourcePolicyDocuments": [source], "overridePolicyDocuments": [override],
        "statements": [{"sid": "A", "actions": ["a:2"]}]}))
    assert document["Statement"] == [{"Sid": "A", "Effect": "Allow", "Action": "a:2"},
                                     {"Sid": "B", "Effect": "Deny", "Action": "b:2"},
                                     {"Effect": "Allow", "Action": "c:1"}]


@pytest.mark.parametrize("token", [
    "aws:ec2/getAmi:getAmi", "aws:index/getRegion:getRegion", "aws:rds/getEngineVersion:"
    "getEngineVersion", "aws:iam/getRole:getRole", "aws-native:ec2:getVpc",
])
def test_typed_placeholders_construct_the_sdk_result_class(token: str) -> None:
    from pulumi import _types

    cls = result_class(token)
    assert cls is not None
    answer = placeholder_answer(token, "eu-west-1", "aws")
    assert answer
    # The SDK's result class takes these values without a type error (it checks each type).
    cls(**{python: answer.get(wire) for python, wire, _ in _types._py_properties(cls)})
    arns = [v for k, v in answer.items() if k.lower().endswith("arn") and isinstance(v, str)]
    assert all(a.startswith("arn:aws:") and ":eu-west-1:" in a for a in arns)


def test_an_unknown_function_has_no_typed_answer() -> None:
    assert result_class("nosuchpkg:mod/getThing:getThing") is None
    assert placeholder_answer("aws:ec2/getNothingAtAll:getNothingAtAll", "us-east-1",
                              "aws") is None


@pytest.mark.parametrize(("type_token", "inputs", "expected"), [
    ("aws:iam/role:Role", {}, True),
    ("aws:cloudfront/distribution:Distribution", {}, True),
    ("aws:route53/record:Record", {}, True),
    ("aws:route53/resolverEndpoint:ResolverEndpoint", {}, False),
    ("aws:wafv2/webAcl:WebAcl", {"scope": "CLOUDFRONT"}, True),
    ("aws:wafv2/webAcl:WebAcl", {"scope": "REGIONAL"}, False),
    ("aws:s3/bucket:Bucket", {}, False),
    ("aws:wafregional/webAcl:WebAcl", {}, False),
])
def test_global_types(type_token: str, inputs: dict, expected: bool) -> None:
    assert is_global(type_token, inputs) is expected


def _plan(violations=(), incomplete=(), evaluated=True) -> dict:
    plan = {"violations": [{"enforcement": e} for e in violations],
            "incomplete": list(incomplete)}
    if evaluated:
        plan["policyPack"] = {}
    return plan


def test_verdicts_never_claim_what_was_not_checked() -> None:
    assert of_plan(None) is Verdict.FAILED
    assert of_plan(_plan()) is Verdict.PASSES
    assert of_plan(_plan(evaluated=False)) is Verdict.NOT_EVALUATED
    assert of_plan(_plan(["advisory"])) is Verdict.PASSES
    assert of_plan(_plan(["mandatory"])) is Verdict.BLOCKED
    assert of_plan(_plan(["mandatory"], [{"name": "c"}])) is Verdict.INCOMPLETE
    assert overall([Verdict.PASSES, Verdict.NOT_EVALUATED]) is Verdict.NOT_EVALUATED
    assert overall([Verdict.PASSES, Verdict.FAILED, Verdict.BLOCKED]) is Verdict.FAILED
    assert exit_code([Verdict.PASSES, Verdict.NOT_EVALUATED]) == EXIT_OK
    assert exit_code([Verdict.PASSES, Verdict.BLOCKED]) == EXIT_POLICY
    assert exit_code([Verdict.BLOCKED, Verdict.INCOMPLETE]) == EXIT_INCOMPLETE
    assert exit_code([Verdict.INCOMPLETE, Verdict.FAILED]) == EXIT_INPUT


def test_assumed_zone_ids_abbreviate_regions_as_the_recorded_real_ones_do() -> None:
    from platformctl import regions

    recorded = regions._recorded_zones()
    assert recorded
    for region, zones in recorded.items():
        for zone_id in zones:
            assert zone_id.startswith(regions._zone_id_prefix(region) + "-az"), (region, zone_id)
