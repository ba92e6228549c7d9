"""WebTier: the EC2 Auto Scaling monolith behind an HTTPS ALB, planned offline."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest

from components.alb import TLS_POLICY
from components.web_tier import WebTier, WebTierArgs
from tests.plans import PlanView, in_region, run_offline

REGION = "me-south-1"
WIRING: dict[str, Any] = {"vpc_id": "vpc-0123456789abcdef0",
                          "public_subnet_ids": ["subnet-a1", "subnet-b1"],
                          "private_subnet_ids": ["subnet-a2", "subnet-b2", "subnet-c2"],
                          "domain_name": "app.example.com", "route53_zone_id": "Z0123"}


def plan(**overrides: Any) -> PlanView:
    def build(opts: pulumi.ResourceOptions) -> None:
        WebTier("web", WebTierArgs(**{**WIRING, **overrides}), opts=opts)
    return run_offline(in_region(REGION, build))


@pytest.fixture(scope="module")
def tier() -> PlanView:
    return plan()


def test_instances_require_imdsv2_encrypt_their_volume_and_have_no_ssh_key(
        tier: PlanView) -> None:
    template = tier.named("web-launch-template")["props"]
    assert template["metadataOptions"]["httpTokens"] == "required"
    assert template["metadataOptions"]["httpPutResponseHopLimit"] == 1
    [mapping] = template["blockDeviceMappings"]
    assert mapping["ebs"]["encrypted"] == "true" and "kmsKeyId" not in mapping["ebs"]
    assert "keyName" not in template
    assert not [r for r in tier.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                if r["props"].get("fromPort") == 22]


def test_a_customer_ebs_key_is_used_when_given() -> None:
    key = "arn:aws:kms:me-south-1:123456789012:key/abc"
    template = plan(ebs_kms_key_arn=key).named("web-launch-template")["props"]
    assert template["blockDeviceMappings"][0]["ebs"]["kmsKeyId"] == key


def test_instances_admit_only_the_load_balancer(tier: PlanView) -> None:
    [rule] = [r["props"] for r in tier.of_type(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r["name"] == "web-instance-in-alb"]
    assert rule["fromPort"] == rule["toPort"] == 8080
    assert "cidrIpv4" not in rule and rule["referencedSecurityGroupId"]


def test_group_spans_every_private_subnet_and_tracks_average_cpu(tier: PlanView) -> None:
    group = tier.named("web-asg")["props"]
    assert group["vpcZoneIdentifiers"] == WIRING["private_subnet_ids"]
    assert (group["minSize"], group["maxSize"], group["healthCheckType"]) == (2, 12, "ELB")
    policy = tier.named("web-scale-cpu")["props"]["targetTrackingConfiguration"]
    assert policy["predefinedMetricSpecification"]["predefinedMetricType"] == \
        "ASGAverageCPUUtilization"
    assert policy["targetValue"] == 60


def test_https_only_listener_with_a_validated_certificate(tier: PlanView) -> None:
    listeners = {r["props"]["port"]: r["props"] for r in tier.of_type("aws:lb/listener:Listener")}
    assert listeners[443]["sslPolicy"] == TLS_POLICY
    assert listeners[80]["defaultActions"][0]["redirect"]["protocol"] == "HTTPS"
    assert tier.one("aws:acm/certificate:Certificate")["props"]["domainName"] == "app.example.com"
    tier.one("aws:acm/certificateValidation:CertificateValidation")


def test_work_queue_is_encrypted_and_dead_letters(tier: PlanView) -> None:
    queue, dlq = tier.named("web-queue")["props"], tier.named("web-dlq")["props"]
    assert queue["kmsMasterKeyId"] and dlq["kmsMasterKeyId"]
    assert '"maxReceiveCount": 5' in queue["redrivePolicy"]
    assert queue["tags"]["data-class"] == "user-pii"


def test_regional_waf_on_the_load_balancer_unless_turned_off(tier: PlanView) -> None:
    assert tier.named("web-waf")["props"]["scope"] == "REGIONAL"
    tier.one("aws:wafv2/webAclAssociation:WebAclAssociation")
    bare = plan(waf=False)
    assert not bare.of_type("aws:wafv2/webAcl:WebAcl")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"min_size": 5, "max_size": 3}, "min_size: 5 must be 1..max_size"),
    ({"public_subnet_ids": ["subnet-a1"]}, "public_subnet_ids: an ALB needs subnets in at least"),
    ({"private_subnet_ids": []}, "private_subnet_ids: empty"),
    ({"instance_type": "large"}, "instance_type: 'large' is not an instance type"),
    ({"ami": "ubuntu"}, "ami: 'ubuntu' is not an AMI id"),
    ({"rate_limit_per_5_minutes": 10}, "rate_limit_per_5_minutes: 10 is below WAF's minimum"),
    ({"cpu_target_percent": 99}, "cpu_target_percent: 99 is outside 10..95"),
    ({"health_check_path": "health"}, "health_check_path: 'health' must start with /"),
])
def test_bad_settings_are_refused_naming_the_field(overrides: dict[str, Any],
                                                   message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        WebTierArgs(**{**WIRING, **overrides})
