"""Cases for the security policies beyond storage and residency (ECR, messaging, warehouse,
transport, secrets, IMDS): each program starts valid and changes one field when `bad`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from tests.policy_cases import in_region, policy_json

ACCOUNT = "123456789012"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-AbCdEf"
# A literal the violation message must never repeat.
LITERAL = "hunter2-Plaintext!"


def _both(build: Callable[[pulumi.ResourceOptions, bool], Any]) -> tuple[
        Callable[[], Any], Callable[[], Any]]:
    return in_region(lambda o: build(o, True)), in_region(lambda o: build(o, False))


def _key(name: str, opts: pulumi.ResourceOptions) -> aws.kms.Key:
    return aws.kms.Key(f"{name}-key", enable_key_rotation=True, opts=opts)


# --- ecr-repository-not-public ---------------------------------------------------------------
def _ecr(opts: pulumi.ResourceOptions, bad: bool) -> None:
    repo = aws.ecr.Repository("app", image_tag_mutability="IMMUTABLE", opts=opts,
                              encryption_configurations=[
                                  aws.ecr.RepositoryEncryptionConfigurationArgs(
                                      encryption_type="KMS", kms_key=_key("ecr", opts).arn)])
    principal = "*" if bad else {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    aws.ecr.RepositoryPolicy("app-policy", repository=repo.name, opts=opts,
                             policy=policy_json([{
                                 "Sid": "pull", "Effect": "Allow", "Principal": principal,
                                 "Action": ["ecr:BatchGetImage",
                                            "ecr:GetDownloadUrlForLayer"]}]))


# --- queue-topic-stream-encrypted ------------------------------------------------------------
def _sqs(opts: pulumi.ResourceOptions, bad: bool) -> None:
    key = None if bad else _key("jobs", opts).arn
    aws.sqs.Queue("jobs", kms_master_key_id=key, sqs_managed_sse_enabled=True if bad else None,
                  tags={"data-class": "user-content"}, opts=opts)


def _sns(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.sns.Topic("events", kms_master_key_id=None if bad else _key("events", opts).arn,
                  tags={"data-class": "telemetry"}, opts=opts)


def _kinesis(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.kinesis.Stream("clicks", shard_count=1, encryption_type="NONE" if bad else "KMS",
                       kms_key_id=None if bad else _key("clicks", opts).arn,
                       tags={"data-class": "telemetry"}, opts=opts)


# --- warehouse-encrypted ---------------------------------------------------------------------
def _redshift(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.redshift.Cluster("reports", cluster_identifier="reports", node_type="ra3.xlplus",
                         master_username="admin", manage_master_password=True,
                         encrypted="false" if bad else "true",
                         kms_key_id=None if bad else _key("reports", opts).arn,
                         tags={"data-class": "user-pii"}, opts=opts)


def _opensearch(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.opensearch.Domain("search", engine_version="OpenSearch_2.13", opts=opts,
                          encrypt_at_rest=aws.opensearch.DomainEncryptAtRestArgs(enabled=not bad),
                          node_to_node_encryption=aws.opensearch.DomainNodeToNodeEncryptionArgs(
                              enabled=True),
                          domain_endpoint_options=aws.opensearch.DomainDomainEndpointOptionsArgs(
                              enforce_https=True,
                              tls_security_policy="Policy-Min-TLS-1-2-2019-07"),
                          tags={"data-class": "user-content"})


# --- load-balancer-https-only ----------------------------------------------------------------
def _balancer(opts: pulumi.ResourceOptions) -> aws.lb.LoadBalancer:
    return aws.lb.LoadBalancer("web", internal=False, load_balancer_type="application",
                               subnets=["subnet-a", "subnet-b"], drop_invalid_header_fields=True,
                               opts=opts)


def _http_listener(opts: pulumi.ResourceOptions, bad: bool) -> None:
    balancer = _balancer(opts)
    action = aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=aws.lb.TargetGroup(
        "web", port=8080, protocol="HTTP", vpc_id="vpc-123", opts=opts).arn) if bad else \
        aws.lb.ListenerDefaultActionArgs(type="redirect", redirect=aws.lb.
                                         ListenerDefaultActionRedirectArgs(
                                             protocol="HTTPS", port="443",
                                             status_code="HTTP_301"))
    aws.lb.Listener("web-http", load_balancer_arn=balancer.arn, port=80, protocol="HTTP",
                    default_actions=[action], opts=opts)


def _tls_policy(opts: pulumi.ResourceOptions, bad: bool) -> None:
    balancer = _balancer(opts)
    group = aws.lb.TargetGroup("web", port=8080, protocol="HTTP", vpc_id="vpc-123", opts=opts)
    aws.lb.Listener("web-https", load_balancer_arn=balancer.arn, port=443, protocol="HTTPS",
                    certificate_arn=f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/x",
                    ssl_policy="ELBSecurityPolicy-2016-08" if bad else
                    "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    default_actions=[aws.lb.ListenerDefaultActionArgs(
                        type="forward", target_group_arn=group.arn)], opts=opts)


# --- cloudfront-origin-https -----------------------------------------------------------------
def _distribution(opts: pulumi.ResourceOptions, policy: str, protocols: list[str],
                  viewer: str = "redirect-to-https") -> None:
    aws.cloudfront.Distribution(
        "cdn", enabled=True, opts=opts,
        origins=[aws.cloudfront.DistributionOriginArgs(
            domain_name="origin.example.com", origin_id="app",
            custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                http_port=80, https_port=443, origin_protocol_policy=policy,
                origin_ssl_protocols=protocols))],
        default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
            target_origin_id="app", allowed_methods=["GET", "HEAD"],
            cached_methods=["GET", "HEAD"], viewer_protocol_policy=viewer),
        restrictions=aws.cloudfront.DistributionRestrictionsArgs(
            geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                restriction_type="none")),
        viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
            acm_certificate_arn=f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/x",
            ssl_support_method="sni-only", minimum_protocol_version="TLSv1.2_2021"))


def _origin_http(opts: pulumi.ResourceOptions, bad: bool) -> None:
    _distribution(opts, "http-only" if bad else "https-only", ["TLSv1.2"])


def _origin_tls(opts: pulumi.ResourceOptions, bad: bool) -> None:
    _distribution(opts, "https-only", ["TLSv1", "TLSv1.1", "TLSv1.2"] if bad else ["TLSv1.2"])


# --- no-plaintext-secrets --------------------------------------------------------------------
ROLE = policy_json([{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                     "Action": "sts:AssumeRole"}])


def _lambda_env(opts: pulumi.ResourceOptions, bad: bool) -> None:
    role = aws.iam.Role("fn", assume_role_policy=ROLE, opts=opts)
    variables = {"DB_HOST": "db.internal",
                 "DB_PASSWORD" if bad else "DB_PASSWORD_SECRET_ARN": LITERAL if bad
                 else SECRET_ARN}
    aws.lambda_.Function("api", role=role.arn, runtime="python3.12", handler="app.handler",
                         code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("x = 1\n")}),
                         environment=aws.lambda_.FunctionEnvironmentArgs(variables=variables),
                         opts=opts)


def _ecs_env(opts: pulumi.ResourceOptions, bad: bool) -> None:
    container: dict[str, Any] = {"name": "app", "image": "nginx:1.27", "essential": True,
                                 "environment": [{"name": "LOG_LEVEL", "value": "info"}]}
    if bad:
        container["environment"].append({"name": "API_TOKEN", "value": LITERAL})
    else:
        container["secrets"] = [{"name": "API_TOKEN", "valueFrom": SECRET_ARN}]
    aws.ecs.TaskDefinition("app", family="app", requires_compatibilities=["FARGATE"],
                           network_mode="awsvpc", cpu="256", memory="512",
                           container_definitions=json.dumps([container]), opts=opts)


def _user_data(opts: pulumi.ResourceOptions, bad: bool) -> None:
    fetch = "$(aws secretsmanager get-secret-value --secret-id db --query SecretString)"
    script = ("#!/bin/bash\nexport DB_HOST=db.internal\n"
              f"export DB_PASSWORD={LITERAL if bad else fetch}\n")
    aws.ec2.LaunchTemplate("workers", image_id="ami-123", instance_type="t3.micro",
                           user_data=base64.b64encode(script.encode()).decode(),
                           metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                               http_tokens="required", http_endpoint="enabled"), opts=opts)


def _pod_env(opts: pulumi.ResourceOptions, bad: bool) -> None:
    cluster = pulumi.ResourceOptions(provider=k8s.Provider("k8s", kubeconfig="{}"))
    env = k8s.core.v1.EnvVarArgs(name="REDIS_PASSWORD", value=LITERAL) if bad else \
        k8s.core.v1.EnvVarArgs(name="REDIS_PASSWORD", value_from=k8s.core.v1.EnvVarSourceArgs(
            secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(name="redis", key="password")))
    labels = {"app": "worker"}
    k8s.apps.v1.Deployment("worker", opts=cluster, spec=k8s.apps.v1.DeploymentSpecArgs(
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
        template=k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
            spec=k8s.core.v1.PodSpecArgs(containers=[k8s.core.v1.ContainerArgs(
                name="worker", image="worker:1.0", env=[env])]))))


# --- ec2-imdsv2-required ---------------------------------------------------------------------
def _instance(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.ec2.Instance("bastion", ami="ami-123", instance_type="t3.micro", opts=opts,
                     root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True),
                     metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                         http_tokens="optional" if bad else "required"))


def _template(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.ec2.LaunchTemplate("nodes", image_id="ami-123", instance_type="t3.micro", opts=opts,
                           metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                               http_endpoint="enabled",
                               http_tokens=None if bad else "required"))


# (policy, bad, good, message fragment)
SECURITY_CASES: list[tuple[str, Callable[[], Any], Callable[[], Any], str]] = [
    ("ecr-repository-not-public", *_both(_ecr), "allows Principal '*' without a Condition"),
    ("queue-topic-stream-encrypted", *_both(_sqs), "uses SQS-managed keys (SSE-SQS)"),
    ("queue-topic-stream-encrypted", *_both(_sns), "SNS topic 'events'"),
    ("queue-topic-stream-encrypted", *_both(_kinesis), "Kinesis stream 'clicks'"),
    ("warehouse-encrypted", *_both(_redshift), "Redshift cluster 'reports'"),
    ("warehouse-encrypted", *_both(_opensearch), "unencrypted at rest"),
    ("load-balancer-https-only", *_both(_http_listener), "serves plain HTTP"),
    ("load-balancer-https-only", *_both(_tls_policy), "ELBSecurityPolicy-2016-08"),
    ("cloudfront-origin-https", *_both(_origin_http), "plain HTTP (http-only)"),
    ("cloudfront-origin-https", *_both(_origin_tls), "TLS below 1.2 (TLSv1, TLSv1.1)"),
    ("no-plaintext-secrets", *_both(_lambda_env), "'DB_PASSWORD' as a plaintext literal"),
    ("no-plaintext-secrets", *_both(_ecs_env), "container 'app' environment carries "
                                               "'API_TOKEN'"),
    ("no-plaintext-secrets", *_both(_user_data), "user data carries 'DB_PASSWORD'"),
    ("no-plaintext-secrets", *_both(_pod_env), "container 'worker' env carries "
                                               "'REDIS_PASSWORD'"),
    ("ec2-imdsv2-required", *_both(_instance), "http_tokens='optional'"),
    ("ec2-imdsv2-required", *_both(_template), "http_tokens unset"),
]


def origin_match_viewer(opts: pulumi.ResourceOptions, bad: bool) -> None:
    """match-viewer is HTTPS to the origin only while viewers must use HTTPS; behind an
    allow-all behaviour both CloudFront policies speak (so it is not a one-id case)."""
    _distribution(opts, "match-viewer", ["TLSv1.2"], viewer="allow-all" if bad else
                  "redirect-to-https")
