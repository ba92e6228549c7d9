"""The internet-facing HTTPS Application Load Balancer every web component shares.

One place for what an ALB of this platform is: HTTPS only (TLS 1.3/1.2 policy; port 80 only
redirects), a DNS-validated ACM certificate, invalid headers dropped, defensive desync
mitigation, deletion protection when protected, and access logs to a `LogBucket(purpose=
"alb")`. Used by components/ecs_service.py (Fargate) and components/web_tier.py (EC2 Auto
Scaling); the children keep the logical names `<component>-alb`, `-https`, `-http-redirect`,
`-alb-logs`, `-certificate`, `-certificate-validation[-record]`, parented to the component.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.labels import child_name, resource_tags
from components.object_store import LogBucket, LogBucketArgs

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True)
class Certificate:
    arn: pulumi.Input[str]
    """The certificate the HTTPS listener serves (validated when created here)."""
    validation_records: pulumi.Output[list[dict[str, str]]]
    """DNS records (name, type, value) that validate a created certificate; empty when given."""


@dataclass(frozen=True)
class HttpsLoadBalancer:
    alb: aws.lb.LoadBalancer
    https: aws.lb.Listener
    access_log_bucket: LogBucket


def certificate(component: pulumi.Resource, name: str, *, certificate_arn: str | None,
                domain_name: str | None, route53_zone_id: str | None,
                tags: Mapping[str, str]) -> Certificate:
    """`certificate_arn` as given, else a DNS-validated certificate for `domain_name` whose
    validation record is written into `route53_zone_id` (or left to the DNS owner)."""
    child = pulumi.ResourceOptions(parent=component)
    if certificate_arn is not None:
        return Certificate(arn=certificate_arn, validation_records=pulumi.Output.from_input([]))
    cert_name = child_name(name, "certificate")
    created = aws.acm.Certificate(
        cert_name, domain_name=domain_name, validation_method="DNS",
        key_algorithm="EC_prime256v1",
        options=aws.acm.CertificateOptionsArgs(
            certificate_transparency_logging_preference="ENABLED"),
        tags=resource_tags(cert_name, extra=tags), opts=child)
    records = created.domain_validation_options.apply(
        lambda options: [{"name": o.resource_record_name, "type": o.resource_record_type,
                          "value": o.resource_record_value} for o in options or []])
    fqdns: list[pulumi.Output[str]] = []
    if route53_zone_id is not None:
        option = created.domain_validation_options.apply(lambda o: o[0])
        record = aws.route53.Record(
            child_name(name, "certificate-validation-record"), zone_id=route53_zone_id,
            name=option.apply(lambda o: o.resource_record_name),
            type=option.apply(lambda o: o.resource_record_type),
            records=[option.apply(lambda o: o.resource_record_value)],
            ttl=300, allow_overwrite=True, opts=child)
        fqdns.append(record.fqdn)
    # Waits until the records exist (here, or made by the DNS owner from the output).
    validation = aws.acm.CertificateValidation(
        child_name(name, "certificate-validation"), certificate_arn=created.arn,
        validation_record_fqdns=fqdns or None, opts=child)
    return Certificate(arn=validation.certificate_arn, validation_records=records)


def https_load_balancer(component: pulumi.Resource, name: str, *,
                        subnet_ids: Sequence[pulumi.Input[str]],
                        security_group_id: pulumi.Input[str],
                        target_group_arn: pulumi.Input[str], certificate_arn: pulumi.Input[str],
                        protect: bool, access_log_retention_days: int,
                        tags: Mapping[str, str]) -> HttpsLoadBalancer:
    """The ALB in `subnet_ids`, its HTTPS listener forwarding to `target_group_arn`, the
    HTTP listener that only redirects, and its access-log bucket."""
    log_bucket = LogBucket(child_name(name, "alb-logs"), LogBucketArgs(
        purpose="alb", retention_days=access_log_retention_days, protect=protect,
        tags=dict(tags)), opts=pulumi.ResourceOptions(parent=component))
    alb = aws.lb.LoadBalancer(
        child_name(name, "alb"),
        load_balancer_type="application",
        internal=False,
        subnets=list(subnet_ids),
        security_groups=[security_group_id],
        drop_invalid_header_fields=True,
        desync_mitigation_mode="defensive",
        enable_http2=True,
        idle_timeout=60,
        enable_deletion_protection=protect,
        access_logs=aws.lb.LoadBalancerAccessLogsArgs(
            bucket=log_bucket.bucket_name, prefix=name, enabled=True),
        tags=resource_tags(child_name(name, "alb"), extra=tags),
        # AWS checks the bucket policy when access logs are enabled: wait for it.
        opts=pulumi.ResourceOptions(parent=component, depends_on=[log_bucket]))
    https = aws.lb.Listener(
        child_name(name, "https"),
        load_balancer_arn=alb.arn, port=443, protocol="HTTPS",
        ssl_policy=TLS_POLICY, certificate_arn=certificate_arn,
        default_actions=[aws.lb.ListenerDefaultActionArgs(
            type="forward", target_group_arn=target_group_arn)],
        tags=resource_tags(child_name(name, "https"), extra=tags),
        opts=pulumi.ResourceOptions(parent=component))
    aws.lb.Listener(
        child_name(name, "http-redirect"),
        load_balancer_arn=alb.arn, port=80, protocol="HTTP",
        default_actions=[aws.lb.ListenerDefaultActionArgs(
            type="redirect", redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                protocol="HTTPS", port="443", status_code="HTTP_301"))],
        tags=resource_tags(child_name(name, "http-redirect"), extra=tags),
        opts=pulumi.ResourceOptions(parent=component))
    return HttpsLoadBalancer(alb=alb, https=https, access_log_bucket=log_bucket)
