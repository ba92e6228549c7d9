"""WebTier: a monolith on an EC2 Auto Scaling group behind an HTTPS ALB, with a work queue.

    internet --443 (REGIONAL WAF)--> ALB (components/alb.py: HTTPS only, ACM certificate)
      --app port--> Auto Scaling group (private subnets, every AZ; ELB health checks;
                    target tracking on average CPU) from a launch template
      --> SQS work queue (SSE-KMS, dead-letter queue) in front of slow work

Instances: IMDSv2 required (hop limit 1), encrypted gp3 root volume, no SSH key and no port
22: operators use SSM Session Manager (the role has AmazonSSMManagedInstanceCore). The
instances admit only the ALB on the app port. The instance role may send to, receive from
and delete on its own queue, and use its key; nothing else until the caller grants it.

EBS encryption uses the account's EBS key (`aws/ebs`) unless `ebs_kms_key_arn` names a
customer key, whose key policy must then admit the AWSServiceRoleForAutoScaling role (the
group launches the instances; without that grant they fail to start).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.alb import certificate, https_load_balancer
from components.aws_context import AwsContext
from components.iam import policy_document, service_role
from components.kms import customer_key
from components.labels import DataClass, child_name, resource_tags
from components.monitoring import MonitoredResource
from components.waf import MIN_RATE_LIMIT, managed_web_acl

# Amazon Linux 2023, resolved by EC2 from AWS's public SSM parameter at each launch.
DEFAULT_AMI = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
INSTANCE_POLICIES = ("AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy")
SQS_MAX_RETENTION_SECONDS = 14 * 86_400
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
_AMI = re.compile(r"^(ami-[0-9a-f]{8,17}|resolve:ssm:/.+)$")


@dataclass(frozen=True, kw_only=True)
class WebTierSettings:
    instance_type: str = "m7i.large"
    """EC2 instance type of the monolith."""
    ami: str = DEFAULT_AMI
    """An AMI id, or `resolve:ssm:<parameter>` (default: the latest Amazon Linux 2023)."""
    root_volume_gib: int = 30
    """Encrypted gp3 root volume size."""
    app_port: int = 8080
    """Port the application listens on (behind the ALB)."""
    health_check_path: str = "/health"
    """ALB (and Route 53) health check path; 200-399 is healthy."""
    min_size: int = 2
    """Fewest instances; two over AZs survive an instance or AZ loss."""
    max_size: int = 12
    """Most instances."""
    cpu_target_percent: int = 60
    """Target tracking on the group's average CPU (seed: scale on CPU)."""
    instance_warmup_seconds: int = 300
    """Seconds a new instance needs before its metrics count (and before ELB health)."""
    queue_visibility_timeout_seconds: int = 300
    """Work queue: how long a received message stays hidden (longer than one job)."""
    queue_max_receive_count: int = 5
    """Deliveries before a message moves to the dead-letter queue."""
    queue_data_class: DataClass = "user-pii"
    """What the work messages carry (default user-pii: they name users and their data)."""
    waf: bool = True
    """A REGIONAL WAFv2 web ACL on the ALB (AWS managed rules, per-IP rate limit)."""
    rate_limit_per_5_minutes: int = 2000
    """Requests one client IP may make in 5 minutes before the WAF blocks it."""
    access_log_retention_days: int = 90
    """Days ALB access logs are kept."""
    ebs_kms_key_arn: str | None = None
    """Customer key of the root volumes; None (default) = the account's `aws/ebs` key."""

    def __post_init__(self) -> None:
        if not _INSTANCE_TYPE.match(self.instance_type):
            raise ValueError(f"instance_type: '{self.instance_type}' is not an instance type; "
                             "write it like m7i.large")
        if not _AMI.match(self.ami):
            raise ValueError(f"ami: '{self.ami}' is not an AMI id or resolve:ssm: parameter; "
                             "give ami-... or resolve:ssm:/aws/service/...")
        if not 8 <= self.root_volume_gib <= 16_384:
            raise ValueError(f"root_volume_gib: {self.root_volume_gib} is outside 8..16384")
        if not 1 <= self.app_port <= 65535:
            raise ValueError(f"app_port: {self.app_port} is not a TCP port")
        if not self.health_check_path.startswith("/"):
            raise ValueError(f"health_check_path: '{self.health_check_path}' must start with /")
        if not 1 <= self.min_size <= self.max_size:
            raise ValueError(f"min_size: {self.min_size} must be 1..max_size ({self.max_size}); "
                             "lower min_size or raise max_size")
        if not 10 <= self.cpu_target_percent <= 95:
            raise ValueError(f"cpu_target_percent: {self.cpu_target_percent} is outside 10..95")
        if not 0 <= self.queue_visibility_timeout_seconds <= 43_200:
            raise ValueError(f"queue_visibility_timeout_seconds: "
                             f"{self.queue_visibility_timeout_seconds} is outside SQS's 0..43200")
        if not 1 <= self.queue_max_receive_count <= 1000:
            raise ValueError(f"queue_max_receive_count: {self.queue_max_receive_count} is "
                             "outside 1..1000")
        if self.rate_limit_per_5_minutes < MIN_RATE_LIMIT:
            raise ValueError(f"rate_limit_per_5_minutes: {self.rate_limit_per_5_minutes} is "
                             f"below WAF's minimum of {MIN_RATE_LIMIT}; use {MIN_RATE_LIMIT} "
                             "or more")


@dataclass(frozen=True, kw_only=True)
class WebTierArgs(WebTierSettings):
    vpc_id: pulumi.Input[str]
    """VPC of the tier (Network.vpc_id)."""
    public_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the internet-facing ALB, one per AZ; at least two."""
    private_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the instances, with NAT egress; the group spreads over all of them."""
    domain_name: str
    """Name the ALB's certificate is issued for (the name viewers use)."""
    route53_zone_id: str | None = None
    """Zone of `domain_name` for the certificate's validation record; None = DNS owner."""
    protect: bool = True
    """ALB deletion protection, access logs kept on delete."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on the tier's resources."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.public_subnet_ids) < 2:
            raise ValueError("public_subnet_ids: an ALB needs subnets in at least two AZs; "
                             "give the network public subnets in two or more AZs")
        if not self.private_subnet_ids:
            raise ValueError("private_subnet_ids: empty; the instances run in private subnets")


class WebTier(pulumi.ComponentResource):
    """ALB (+ WAF), Auto Scaling group from a hardened launch template, CPU target tracking,
    and an encrypted work queue with a dead-letter queue."""

    alb_arn: pulumi.Output[str]
    """The load balancer's ARN."""
    alb_dns_name: pulumi.Output[str]
    """The load balancer's DNS name (Route 53 alias target)."""
    alb_zone_id: pulumi.Output[str]
    """The load balancer's hosted zone (Route 53 alias records)."""
    security_group_id: pulumi.Output[str]
    """The instances' security group: data stores admit it."""
    instance_role_name: pulumi.Output[str]
    """The instances' role; attach the application's own permissions to it."""
    autoscaling_group_name: pulumi.Output[str]
    """The Auto Scaling group."""
    queue_url: pulumi.Output[str]
    """The work queue."""
    queue_arn: pulumi.Output[str]
    """The work queue's ARN (grant producers and consumers on it)."""
    dead_letter_queue_url: pulumi.Output[str]
    """Where messages go after `queue_max_receive_count` deliveries."""
    web_acl_arn: pulumi.Output[str] | None
    """The REGIONAL web ACL on the ALB; None with `waf=False`."""
    certificate_validation_records: pulumi.Output[list[dict[str, str]]]
    """DNS records (name, type, value) that validate the ALB's certificate."""
    monitored: list[MonitoredResource]
    """The ALB (kind `alb`)."""

    def __init__(self, name: str, args: WebTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:web_tier:WebTier", name, None, opts)
        self._name = name
        self.args = args
        ctx = AwsContext.of(self)

        queue, dlq, queue_key = self._queues()
        alb_sg, instance_sg = self._security_groups()
        self.security_group_id = instance_sg.id
        role = service_role(
            name, "instance-role", services="ec2.amazonaws.com", parent=self, aws_context=ctx,
            description=f"{name}: the monolith's instances (SSM, its work queue)",
            managed_policies={f"instance-{p}": p for p in INSTANCE_POLICIES},
            inline_policies={"instance-queue-policy": pulumi.Output.all(
                queue.arn, queue_key.arn).apply(lambda a: policy_document([
                    {"Sid": "UseWorkQueue", "Effect": "Allow",
                     "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                                "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
                     "Resource": a[0]},
                    {"Sid": "UseQueueKey", "Effect": "Allow",
                     "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[1]}]))},
            tags=args.tags)
        self.instance_role_name = role.name
        profile = aws.iam.InstanceProfile(child_name(name, "instance-profile"), role=role.name,
                                          tags=self._tags("instance-profile"), opts=self._opts())

        target_group = aws.lb.TargetGroup(
            child_name(name, "tg"), vpc_id=args.vpc_id, target_type="instance",
            protocol="HTTP", port=args.app_port, deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, path=args.health_check_path, protocol="HTTP",
                port="traffic-port", matcher="200-399", interval=15, timeout=5,
                healthy_threshold=2, unhealthy_threshold=3),
            tags=self._tags("tg"), opts=self._opts())
        cert = certificate(self, name, certificate_arn=None, domain_name=args.domain_name,
                           route53_zone_id=args.route53_zone_id, tags=args.tags)
        self.certificate_validation_records = cert.validation_records
        balancer = https_load_balancer(
            self, name, subnet_ids=args.public_subnet_ids, security_group_id=alb_sg.id,
            target_group_arn=target_group.arn, certificate_arn=cert.arn, protect=args.protect,
            access_log_retention_days=args.access_log_retention_days, tags=args.tags)
        alb = balancer.alb
        self.alb_arn, self.alb_dns_name, self.alb_zone_id = alb.arn, alb.dns_name, alb.zone_id
        self.web_acl_arn = None
        if args.waf:
            acl = managed_web_acl(self, name, scope="REGIONAL",
                                  rate_limit_per_5_minutes=args.rate_limit_per_5_minutes,
                                  description=f"{name}: AWS managed rules and a per-IP rate "
                                  "limit on the load balancer")
            aws.wafv2.WebAclAssociation(child_name(name, "waf-association"),
                                        resource_arn=alb.arn, web_acl_arn=acl.arn,
                                        opts=self._opts())
            self.web_acl_arn = acl.arn

        template = self._launch_template(profile, instance_sg)
        group = self._group(template, target_group, balancer.https)
        self.autoscaling_group_name = group.name
        aws.autoscaling.Policy(
            child_name(name, "scale-cpu"), autoscaling_group_name=group.name,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=args.instance_warmup_seconds,
            target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                target_value=float(args.cpu_target_percent),
                predefined_metric_specification=aws.autoscaling.
                PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ASGAverageCPUUtilization")),
            opts=self._opts())

        self.queue_url, self.queue_arn = queue.url, queue.arn
        self.dead_letter_queue_url = dlq.url
        self.monitored = [MonitoredResource(
            kind="alb", name=child_name(name, "alb"),
            dimensions={"LoadBalancer": alb.arn_suffix, "TargetGroup": target_group.arn_suffix})]
        self.register_outputs({
            "albArn": self.alb_arn, "albDnsName": self.alb_dns_name,
            "albZoneId": self.alb_zone_id, "securityGroupId": self.security_group_id,
            "instanceRoleName": self.instance_role_name,
            "autoscalingGroupName": self.autoscaling_group_name,
            "queueUrl": self.queue_url, "queueArn": self.queue_arn,
            "deadLetterQueueUrl": self.dead_letter_queue_url, "webAclArn": self.web_acl_arn,
            "certificateValidationRecords": self.certificate_validation_records,
        })

    def _opts(self, **kwargs: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)  # type: ignore[arg-type]

    def _tags(self, role: str, data_class: DataClass | None = None) -> dict[str, str]:
        return resource_tags(child_name(self._name, role), data_class, self.args.tags)

    def _queues(self) -> tuple[aws.sqs.Queue, aws.sqs.Queue, aws.kms.Key]:
        args, name = self.args, self._name
        key = customer_key(name, "queue-key", description=f"{name}: work queue", parent=self)
        dlq = aws.sqs.Queue(
            child_name(name, "dlq"), kms_master_key_id=key.arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=SQS_MAX_RETENTION_SECONDS,
            tags=self._tags("dlq", args.queue_data_class), opts=self._opts())
        queue = aws.sqs.Queue(
            child_name(name, "queue"), kms_master_key_id=key.arn,
            kms_data_key_reuse_period_seconds=300,
            visibility_timeout_seconds=args.queue_visibility_timeout_seconds,
            message_retention_seconds=4 * 86_400, receive_wait_time_seconds=20,
            redrive_policy=dlq.arn.apply(lambda arn: json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": args.queue_max_receive_count})),
            tags=self._tags("queue", args.queue_data_class), opts=self._opts())
        # Only this queue may dead-letter into the DLQ.
        aws.sqs.RedriveAllowPolicy(
            child_name(name, "dlq-redrive-allow"), queue_url=dlq.url,
            redrive_allow_policy=queue.arn.apply(lambda arn: json.dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [arn]})),
            opts=self._opts())
        return queue, dlq, key

    def _security_groups(self) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
        args, name = self.args, self._name
        alb_sg = aws.ec2.SecurityGroup(
            child_name(name, "alb-sg"), vpc_id=args.vpc_id,
            description=f"{name} load balancer: HTTPS (and the redirect) from the internet",
            tags=self._tags("alb-sg"), opts=self._opts())
        for port in (80, 443):
            aws.vpc.SecurityGroupIngressRule(
                child_name(name, f"alb-in-{port}"), security_group_id=alb_sg.id,
                ip_protocol="tcp", from_port=port, to_port=port, cidr_ipv4="0.0.0.0/0",
                description=f"Port {port} from the internet (WAF in front)", opts=self._opts())
        instance_sg = aws.ec2.SecurityGroup(
            child_name(name, "instance-sg"), vpc_id=args.vpc_id,
            description=f"{name} instances: app port from the load balancer only, no SSH",
            tags=self._tags("instance-sg"), opts=self._opts())
        port = args.app_port
        aws.vpc.SecurityGroupEgressRule(
            child_name(name, "alb-out-instances"), security_group_id=alb_sg.id,
            ip_protocol="tcp", from_port=port, to_port=port,
            referenced_security_group_id=instance_sg.id,
            description=f"To {name}'s app port", opts=self._opts())
        aws.vpc.SecurityGroupIngressRule(
            child_name(name, "instance-in-alb"), security_group_id=instance_sg.id,
            ip_protocol="tcp", from_port=port, to_port=port,
            referenced_security_group_id=alb_sg.id,
            description="App port from the load balancer", opts=self._opts())
        # SSM, the queue, data stores and third-party APIs.
        aws.vpc.SecurityGroupEgressRule(
            child_name(name, "instance-out"), security_group_id=instance_sg.id,
            ip_protocol="-1", cidr_ipv4="0.0.0.0/0",
            description="Outbound to AWS APIs, data stores and the internet via NAT",
            opts=self._opts())
        return alb_sg, instance_sg

    def _launch_template(self, profile: aws.iam.InstanceProfile,
                         instance_sg: aws.ec2.SecurityGroup) -> aws.ec2.LaunchTemplate:
        args, name = self.args, self._name
        ebs: dict[str, object] = {"volume_size": args.root_volume_gib, "volume_type": "gp3",
                                  "encrypted": "true", "delete_on_termination": "true"}
        if args.ebs_kms_key_arn is not None:
            ebs["kms_key_id"] = args.ebs_kms_key_arn
        return aws.ec2.LaunchTemplate(
            child_name(name, "launch-template"),
            description=f"{name}: the monolith's instances",
            image_id=args.ami, instance_type=args.instance_type,
            iam_instance_profile={"arn": profile.arn},
            vpc_security_group_ids=[instance_sg.id],
            # IMDSv2 only; a hop limit of 1 keeps containers on the host from the credentials.
            metadata_options={"http_endpoint": "enabled", "http_tokens": "required",
                              "http_put_response_hop_limit": 1,
                              "instance_metadata_tags": "disabled"},
            block_device_mappings=[{"device_name": "/dev/xvda", "ebs": ebs}],
            monitoring={"enabled": True},
            update_default_version=True,
            tag_specifications=[{"resource_type": kind, "tags": self._tags("instance")}
                                for kind in ("instance", "volume")],
            tags=self._tags("launch-template"), opts=self._opts())

    def _group(self, template: aws.ec2.LaunchTemplate, target_group: aws.lb.TargetGroup,
               https: aws.lb.Listener) -> aws.autoscaling.Group:
        args = self.args
        return aws.autoscaling.Group(
            child_name(self._name, "asg"),
            min_size=args.min_size, max_size=args.max_size, desired_capacity=args.min_size,
            vpc_zone_identifiers=list(args.private_subnet_ids),
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            target_group_arns=[target_group.arn],
            health_check_type="ELB", health_check_grace_period=args.instance_warmup_seconds,
            default_instance_warmup=args.instance_warmup_seconds,
            # A new template version rolls through the group, keeping 90% in service.
            instance_refresh={"strategy": "Rolling",
                              "preferences": {"min_healthy_percentage": 90}},
            enabled_metrics=["GroupInServiceInstances", "GroupDesiredCapacity",
                             "GroupTotalInstances"],
            tags=[{"key": "Name", "value": child_name(self._name, "instance"),
                   "propagate_at_launch": True}],
            # Target tracking owns the count after creation.
            opts=self._opts(depends_on=[https], ignore_changes=["desiredCapacity"]))

