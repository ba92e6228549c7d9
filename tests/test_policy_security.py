"""The security policies beyond their one-field cases: what they must not say (secret
values, internal load balancers, public queues) and the settings that change a verdict."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from policies.secrets import literal_secret, script_secrets, secret_name
from tests.policy_cases import enforced, ids, in_region, verdicts
from tests.security_cases import LITERAL, SECURITY_CASES, _http_listener, origin_match_viewer


@pytest.mark.parametrize(("name", "secret"), [
    ("DB_PASSWORD", True), ("password", True), ("apiKey", True), ("JWT_SECRET", True),
    ("AWS_SECRET_ACCESS_KEY", True), ("GITHUB_TOKEN", True), ("DB_PWD", True),
    ("SECRET_ARN", False), ("TOKEN_URL", False), ("DB_PASSWORD_FILE", False),
    ("PARTITION_KEY", False), ("PWD", False), ("LOG_LEVEL", False), ("KEY", False),
])
def test_secret_names(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


@pytest.mark.parametrize(("name", "value", "secret"), [
    ("DB_PASSWORD", "hunter2", True),
    ("DB_PASSWORD", "arn:aws:secretsmanager:us-east-1:1:secret:db", False),
    ("DB_PASSWORD", "{{resolve:secretsmanager:db}}", False),
    ("DB_PASSWORD", "${DB_PASSWORD}", False),
    ("DB_PASSWORD", "[secret]", False),          # a Pulumi secret, masked
    ("DB_PASSWORD", "", False),
    ("API_TOKEN", "true", False),
    ("LOG_LEVEL", "AKIAIOSFODNN7EXAMPLE", True),  # a credential under any name
    ("LOG_LEVEL", "debug", False),
])
def test_literal_secret_values(name: str, value: str, secret: bool) -> None:
    assert literal_secret(name, value) is secret


def test_user_data_scripts_name_the_variable_only() -> None:
    script = ("#!/bin/bash\nexport DB_PASSWORD='s3cret'\nTOKEN_URL=https://id.example\n"
              "API_KEY=$(aws ssm get-parameter --name key)\n")
    assert script_secrets(script) == ["DB_PASSWORD"]
    assert script_secrets("echo -----BEGIN RSA PRIVATE KEY----- > k") == [
        "a credential-shaped value"]


@pytest.mark.parametrize("case", [c for c in SECURITY_CASES if c[0] == "no-plaintext-secrets"],
                         ids=lambda c: c[3][:30])
def test_a_found_secret_is_never_printed(case: tuple) -> None:
    found = enforced(verdicts(case[1]))
    assert found and LITERAL not in json.dumps(found)


def test_internal_load_balancer_may_serve_http() -> None:
    def program(opts: pulumi.ResourceOptions) -> None:
        balancer = aws.lb.LoadBalancer("api", internal=True, load_balancer_type="application",
                                       subnets=["subnet-a", "subnet-b"], opts=opts)
        aws.lb.Listener("api-http", load_balancer_arn=balancer.arn, port=80, protocol="HTTP",
                        default_actions=[aws.lb.ListenerDefaultActionArgs(
                            type="fixed-response",
                            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                                content_type="text/plain", status_code="404"))], opts=opts)
    assert verdicts(in_region(program)) == []
    assert ids(verdicts(in_region(lambda o: _http_listener(o, True)))) == {
        "load-balancer-https-only"}


@pytest.mark.parametrize(("data_class", "managed", "expected"), [
    ("public-content", None, set()),           # SQS encrypts new queues (SSE-SQS) by default
    ("public-content", True, set()),
    ("public-content", False, {"queue-topic-stream-encrypted"}),
    ("user-pii", True, {"queue-topic-stream-encrypted"}),
    (None, None, {"queue-topic-stream-encrypted"}),  # untagged: restricted (fail closed)
])
def test_queue_encryption_follows_the_data_class(data_class: str | None, managed: bool | None,
                                                 expected: set[str]) -> None:
    tags = {"data-class": data_class} if data_class else {}
    program = in_region(lambda o: aws.sqs.Queue("jobs", sqs_managed_sse_enabled=managed,
                                                tags=tags, opts=o))
    assert ids(verdicts(program)) == expected


def test_account_default_of_required_tokens_covers_unset_instances() -> None:
    def program(opts: pulumi.ResourceOptions, account_default: bool) -> None:
        if account_default:
            aws.ec2.InstanceMetadataDefaults("imds", http_tokens="required", opts=opts)
        aws.ec2.Instance("bastion", ami="ami-123", instance_type="t3.micro", opts=opts,
                         root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True))
    assert ids(verdicts(in_region(lambda o: program(o, False)))) == {"ec2-imdsv2-required"}
    assert verdicts(in_region(lambda o: program(o, True))) == []


def test_match_viewer_origin_behind_plain_http_viewers() -> None:
    assert ids(verdicts(in_region(lambda o: origin_match_viewer(o, True)))) == {
        "cloudfront-https-only", "cloudfront-origin-https"}
    assert verdicts(in_region(lambda o: origin_match_viewer(o, False))) == []
