"""components/iam.py: trust policies carry exactly the confused-deputy conditions asked for."""

from __future__ import annotations

import json

import pytest

from components.iam import policy_document, service_assume_role_policy


def trust(**kwargs) -> dict:
    [statement] = json.loads(service_assume_role_policy("logs.amazonaws.com", **kwargs))[
        "Statement"]
    return statement


def test_plain_trust_admits_only_the_service() -> None:
    statement = trust()
    assert statement["Principal"] == {"Service": "logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert "Condition" not in statement


def test_account_and_exact_source_share_one_string_equals() -> None:
    statement = trust(account_id="123456789012",
                      source_arn="arn:aws:cloudtrail:us-east-1:123456789012:trail/t")
    assert statement["Condition"] == {"StringEquals": {
        "aws:SourceAccount": "123456789012",
        "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/t"}}


def test_source_pattern_is_arn_like_and_session_tags_are_opt_in() -> None:
    statement = trust(source_arn_like="arn:aws:ecs:*:123456789012:*", tag_session=True)
    assert statement["Condition"] == {"ArnLike": {"aws:SourceArn": "arn:aws:ecs:*:123456789012:*"}}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]


def test_exact_and_pattern_source_together_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^source_arn: given together with source_arn_like"):
        trust(source_arn="arn:a", source_arn_like="arn:*")


def test_policy_document_has_the_current_version() -> None:
    assert json.loads(policy_document([]))["Version"] == "2012-10-17"
