"""ECS Fargate web service behind an HTTPS Application Load Balancer (the CourseBundler seed).

Follows CDK's ApplicationLoadBalancedFargateService and terraform-aws-modules/ecs, safer by
default: HTTPS always on (HTTP only redirects), tasks in private subnets admitting only the
ALB, Container Insights, a circuit breaker that rolls back, CPU and memory target tracking,
an ECR repository with immutable tags, scan on push and KMS, and ALB access logs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.alb import certificate, https_load_balancer
from components.aws_context import AwsContext
from components.iam import policy_document, service_role
from components.kms import customer_key
from components.labels import child_name, physical_name, resource_tags
from components.logs import LOGS_SERVICE, check_log_retention, encrypted_log_group
from components.monitoring import MonitoredResource
from components.stateful import stateful_options

CONTAINER_NAME = "app"
# Fargate task sizes: cpu units -> allowed memory MiB.
FARGATE_SIZES: dict[int, range | tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: range(1024, 4097, 1024),
    1024: range(2048, 8193, 1024),
    2048: range(4096, 16385, 1024),
    4096: range(8192, 30721, 1024),
    8192: range(16384, 61441, 4096),
    16384: range(32768, 122881, 8192),
}
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CPU_ARCHITECTURES: tuple[str, ...] = ("X86_64", "ARM64")
CONTAINER_INSIGHTS: tuple[str, ...] = ("enabled", "enhanced")
INGRESS: tuple[str, ...] = ("cloudfront", "internet")
# AWS-managed prefix list of CloudFront's origin-facing addresses (CloudFront Developer Guide,
# "Restrict access to Application Load Balancers").
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
# GuardDuty's regional ECR repository of the Fargate agent (GuardDuty User Guide, "Amazon ECR
# repository hosting GuardDuty agent"); its account differs by region.
GUARDDUTY_AGENT_REPOSITORY = "aws-guardduty-agent-fargate"


@dataclass(frozen=True)
class SharedListener:
    """The HTTPS listener of an EcsService's ALB, which further services join by path
    (`EcsServiceArgs.attach_to`): one ALB, path routing, one certificate."""

    listener: aws.lb.Listener
    security_group_id: pulumi.Output[str]
    """The ALB's security group (each joining service adds its egress rule to it)."""
    alb_arn_suffix: pulumi.Output[str]
    """For the joining service's `alb` alarms (LoadBalancer dimension)."""


@dataclass(frozen=True, kw_only=True)
class EcsServiceSettings:
    certificate_arn: str | None = None
    """ACM certificate of the HTTPS listener (same region); wins over `domain_name`."""
    domain_name: str | None = None
    """Without `certificate_arn`: request a DNS-validated certificate for this name; its
    validation records are the `certificate_validation_records` output (HTTPS is never off)."""
    image: str | None = None
    """Container image; default None runs `image_tag` from the service's own ECR repository."""
    image_tag: str = "bootstrap"
    """Tag run from the own repository (tags are immutable, so each release is a new tag)."""
    cpu: int = 512
    """Task CPU units; a Fargate size (256, 512, 1024, 2048, 4096, 8192, 16384)."""
    memory: int = 1024
    """Task memory MiB; must be a size Fargate allows for `cpu`."""
    cpu_architecture: Literal["X86_64", "ARM64"] = "X86_64"
    """Task CPU architecture; ARM64 (Graviton) is ~20% cheaper if the image is built for it."""
    container_port: int = 8080
    """Port the container listens on (non-root friendly)."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Plain environment variables (never secrets)."""
    readonly_root_filesystem: bool = True
    """Read-only root filesystem; /tmp is a writable task volume."""
    health_check_path: str = "/health"
    """ALB health check path (200-399 is healthy)."""
    min_tasks: int = 2
    """Fewest tasks; two spread over AZs survive a task or AZ loss (seed: 2)."""
    max_tasks: int = 10
    """Most tasks (seed: 10)."""
    cpu_target_percent: int = 70
    """Target tracking on average CPU (seed: scale out above 70%)."""
    memory_target_percent: int = 80
    """Target tracking on average memory."""
    scale_out_cooldown_seconds: int = 60
    """Wait after a scale-out before the next: react quickly to bursts."""
    scale_in_cooldown_seconds: int = 300
    """Wait after a scale-in before the next: shrink slowly to avoid flapping."""
    fargate_base: int = 2
    """Tasks always on on-demand FARGATE before the weights split the rest."""
    fargate_weight: int = 1
    """Weight of on-demand FARGATE beyond the base."""
    fargate_spot_weight: int = 1
    """Weight of FARGATE_SPOT beyond the base (spot tasks can be reclaimed with 2 min notice)."""
    container_insights: Literal["enabled", "enhanced"] = "enabled"
    """Container Insights level of the cluster."""
    access_log_retention_days: int = 90
    """Days ALB access logs are kept in the log bucket."""
    ecr_keep_images: int = 30
    """Tagged images the ECR lifecycle rule keeps (untagged expire after 7 days)."""
    path_patterns: Sequence[str] = ()
    """With `attach_to`: the paths (e.g. `/api/*`) the shared listener routes here."""
    listener_priority: int = 10
    """With `attach_to`: the listener rule's priority (1-50000, lower is evaluated first)."""
    route53_zone_id: str | None = None
    """Public hosted zone of `domain_name`: the certificate's DNS validation record is
    created there, so the certificate validates (the caller points `domain_name` at the ALB,
    e.g. a failover pair). None: the DNS owner creates the `certificate_validation_records`
    (ACM waits until they exist)."""
    guardduty_agent: bool = True
    """Let the execution role pull GuardDuty's Fargate runtime-monitoring agent (injected as a
    sidecar when the account's GuardDuty runtime monitoring manages ECS agents); without it
    the tasks fail to start once that feature is on."""
    ingress: Literal["cloudfront", "internet"] = "cloudfront"
    """Who may reach the ALB: `cloudfront` (default) admits only CloudFront's origin-facing
    managed prefix list on 443, so the CDN's WAF cannot be bypassed; `internet` opens 443
    to everyone (an ALB without a CDN in front)."""

    def __post_init__(self) -> None:
        if self.cpu not in FARGATE_SIZES:
            raise ValueError(f"cpu: {self.cpu} is not a Fargate size; use one of "
                             f"{', '.join(map(str, FARGATE_SIZES))}")
        if self.memory not in FARGATE_SIZES[self.cpu]:
            allowed = FARGATE_SIZES[self.cpu]
            raise ValueError(f"memory: {self.memory} MiB does not fit cpu {self.cpu}; use "
                             f"{min(allowed)}..{max(allowed)} MiB")
        if self.cpu_architecture not in CPU_ARCHITECTURES:
            raise ValueError(f"cpu_architecture: '{self.cpu_architecture}' is unknown; use one "
                             f"of {', '.join(CPU_ARCHITECTURES)}")
        if self.container_insights not in CONTAINER_INSIGHTS:
            raise ValueError(f"container_insights: '{self.container_insights}' is unknown; use "
                             f"one of {', '.join(CONTAINER_INSIGHTS)}")
        if self.ecr_keep_images < 1:
            raise ValueError(f"ecr_keep_images: {self.ecr_keep_images} keeps no image; keep at "
                             "least 1 (the running one)")
        if not 1 <= self.container_port <= 65535:
            raise ValueError(f"container_port: {self.container_port} is not a TCP port")
        if not self.health_check_path.startswith("/"):
            raise ValueError(f"health_check_path: '{self.health_check_path}' must start with /")
        if not 1 <= self.min_tasks <= self.max_tasks:
            raise ValueError(f"min_tasks: {self.min_tasks} must be 1..max_tasks "
                             f"({self.max_tasks}); lower min_tasks or raise max_tasks")
        for name, value in (("cpu_target_percent", self.cpu_target_percent),
                            ("memory_target_percent", self.memory_target_percent)):
            if not 10 <= value <= 95:
                raise ValueError(f"{name}: {value} is outside 10..95 percent")
        if self.fargate_weight + self.fargate_spot_weight == 0:
            raise ValueError("fargate_weight: FARGATE and FARGATE_SPOT weights are both 0; "
                             "give one of them a positive weight")
        if min(self.fargate_base, self.fargate_weight, self.fargate_spot_weight) < 0:
            raise ValueError("fargate_base: base and weights must not be negative")
        if self.ingress not in INGRESS:
            raise ValueError(f"ingress: '{self.ingress}' is unknown; use one of "
                             f"{', '.join(INGRESS)}")


@dataclass(frozen=True, kw_only=True)
class EcsServiceArgs(EcsServiceSettings):
    vpc_id: pulumi.Input[str]
    """VPC of the service (Network.vpc_id)."""
    public_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the internet-facing ALB, one per AZ (Network.public_subnet_ids); at least two."""
    private_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the tasks, with NAT egress (Network.private_subnet_ids)."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Env var -> Secrets Manager secret ARN; only these ARNs are readable by the execution role."""
    secret_kms_key_arns: Sequence[pulumi.Input[str]] = ()
    """Customer keys of those secrets (kms:Decrypt for the execution role); none needed for
    the aws/secretsmanager key."""
    log_retention_days: int = 365
    """Retention of the app log group."""
    protect: bool = True
    """ALB deletion protection, log bucket and repository kept on delete and not force-emptied."""
    attach_to: SharedListener | None = None
    """Join another service's ALB (its `listener`) on `path_patterns` instead of owning an
    ALB; None (default) = this service owns the ALB, its listener and certificate."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on the service's resources."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_log_retention("log_retention_days", self.log_retention_days)
        if self.attach_to is not None:
            if not self.path_patterns:
                raise ValueError("path_patterns: empty; a service joining a shared listener "
                                 "needs the paths routed to it, e.g. ['/api/*']")
            if not 1 <= self.listener_priority <= 50000:
                raise ValueError(f"listener_priority: {self.listener_priority} is outside "
                                 "1-50000")
        if self.attach_to is None and self.certificate_arn is None and not self.domain_name:
            raise ValueError("certificate_arn: the HTTPS listener needs a certificate; give "
                             "certificate_arn or domain_name (HTTPS cannot be turned off)")
        if len(self.public_subnet_ids) < 2:
            raise ValueError("public_subnet_ids: an ALB needs subnets in at least two AZs; "
                             "give the network public subnets in two or more AZs")
        if not self.private_subnet_ids:
            raise ValueError("private_subnet_ids: empty; tasks run in private subnets")
        for env in [*self.environment, *self.secrets]:
            if not ENV_NAME.match(env):
                raise ValueError(f"environment: '{env}' is not a valid variable name")
        clash = set(self.environment) & set(self.secrets)
        if clash:
            raise ValueError(f"secrets: {', '.join(sorted(clash))} also set in environment; "
                             "keep each variable in one of them")
        for env, arn in self.secrets.items():
            if isinstance(arn, str) and not SECRET_ARN.match(arn):
                raise ValueError(f"secrets: {env} -> '{arn}' is not a Secrets Manager secret ARN")


class EcsService(pulumi.ComponentResource):
    """Fargate cluster, service, ALB, ECR repository, autoscaling and their IAM and logs."""

    cluster_name: pulumi.Output[str]
    """ECS cluster name."""
    service_name: pulumi.Output[str]
    """ECS service name."""
    security_group_id: pulumi.Output[str]
    """The tasks' security group: data stores admit it."""
    alb_security_group_id: pulumi.Output[str]
    """The load balancer's security group."""
    alb_arn: pulumi.Output[str]
    """Load balancer ARN (attach a WAF web ACL to it)."""
    alb_dns_name: pulumi.Output[str]
    """Load balancer DNS name: the API origin for the edge (CloudFront / Cloudflare)."""
    alb_zone_id: pulumi.Output[str]
    """Hosted zone of the ALB (Route 53 alias records)."""
    repository_url: pulumi.Output[str]
    """ECR repository URL to push images to."""
    task_role_arn: pulumi.Output[str]
    """Role the application runs as; attach the app's own permissions to it."""
    task_role_name: pulumi.Output[str]
    """Name of the task role."""
    log_group_name: pulumi.Output[str]
    """CloudWatch log group of the containers."""
    access_log_bucket: pulumi.Output[str]
    """Bucket of the ALB access logs."""
    certificate_validation_records: pulumi.Output[list[dict[str, str]]]
    """DNS records (name, type, value) to create when the component requested the certificate."""
    listener: SharedListener | None
    """The owned ALB's HTTPS listener, for services joining it (None when this one joined)."""
    monitored: list[MonitoredResource]
    """The ALB (kind `alb`) and the service (kind `ecs-service`)."""

    def __init__(self, name: str, args: EcsServiceArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:ecs_service:EcsService", name, None, opts)
        self._name = name
        self.args = args
        self._ctx = AwsContext.of(self)
        self.monitored = []

        repository = self._repository()
        self.repository_url = repository.repository_url
        log_group = self._log_group()
        self.log_group_name = log_group.name
        service_sg = self._service_group()
        self.security_group_id = service_sg.id
        target_group = self._target_group()
        shared = args.attach_to
        if shared is None:
            alb_sg = self._alb_group()
            alb, https = self._load_balancer(alb_sg, target_group)
            self.alb_arn, self.alb_dns_name, self.alb_zone_id = (alb.arn, alb.dns_name,
                                                                 alb.zone_id)
            self.listener = SharedListener(listener=https, security_group_id=alb_sg.id,
                                           alb_arn_suffix=alb.arn_suffix)
            shared = self.listener
        else:
            self.listener = None
            self.alb_arn = shared.listener.load_balancer_arn
            self.alb_dns_name = self.alb_zone_id = None  # type: ignore[assignment]
            self.access_log_bucket = None  # type: ignore[assignment]
            self.certificate_validation_records = pulumi.Output.from_input([])
            # The service waits for its rule: ECS refuses a target group without a listener.
            https = self._listener_rule(shared.listener, target_group)
        self.alb_security_group_id = shared.security_group_id
        self._admit_alb(shared.security_group_id, service_sg)

        cluster = self._cluster()
        self.cluster_name = cluster.name
        execution_role, task_role = self._roles(repository, log_group)
        self.task_role_arn = task_role.arn
        self.task_role_name = task_role.name
        task = self._task_definition(repository, log_group, execution_role, task_role)
        service = self._service(cluster, task, target_group, service_sg, https)
        self.service_name = service.name
        self._autoscaling(cluster, service)

        self.monitored.append(MonitoredResource(
            kind="alb", name=child_name(name, "alb"),
            dimensions={"LoadBalancer": shared.alb_arn_suffix,
                        "TargetGroup": target_group.arn_suffix}))
        self.monitored.append(MonitoredResource(
            kind="ecs-service", name=child_name(name, "service"),
            dimensions={"ClusterName": cluster.name, "ServiceName": service.name}))

        self.register_outputs({
            "clusterName": self.cluster_name,
            "serviceName": self.service_name,
            "securityGroupId": self.security_group_id,
            "albSecurityGroupId": self.alb_security_group_id,
            "albArn": self.alb_arn,
            "albDnsName": self.alb_dns_name,
            "albZoneId": self.alb_zone_id,
            "repositoryUrl": self.repository_url,
            "taskRoleArn": self.task_role_arn,
            "taskRoleName": self.task_role_name,
            "logGroupName": self.log_group_name,
            "accessLogBucket": self.access_log_bucket,
            "certificateValidationRecords": self.certificate_validation_records,
        })

    # ---- helpers --------------------------------------------------------------------------

    def _opts(self, **kwargs: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)  # type: ignore[arg-type]

    def _tags(self, role: str) -> dict[str, str]:
        return resource_tags(child_name(self._name, role), extra=self.args.tags)

    # ---- image registry and logs ----------------------------------------------------------

    def _repository(self) -> aws.ecr.Repository:
        # The key is kept like the repository: retained images are unreadable without it.
        keep = stateful_options(self.args.protect, self)
        key = customer_key(self._name, "ecr-key", description=f"{self._name} ECR images",
                           parent=self, aws_context=self._ctx, opts=keep)
        repository = aws.ecr.Repository(
            child_name(self._name, "repo"),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=True),
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                encryption_type="KMS", kms_key=key.arn)],
            force_delete=not self.args.protect,
            tags=self._tags("repo"), opts=keep)
        aws.ecr.LifecyclePolicy(
            child_name(self._name, "repo-lifecycle"),
            repository=repository.name,
            policy=json.dumps({"rules": [
                {"rulePriority": 1, "description": "Expire untagged images after 7 days",
                 "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                               "countUnit": "days", "countNumber": 7},
                 "action": {"type": "expire"}},
                {"rulePriority": 2,
                 "description": f"Keep the last {self.args.ecr_keep_images} images",
                 "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                               "countNumber": self.args.ecr_keep_images},
                 "action": {"type": "expire"}},
            ]}),
            opts=self._opts())
        return repository

    def _log_group(self) -> aws.cloudwatch.LogGroup:
        key = customer_key(self._name, "logs-key", description=f"{self._name} container logs",
                           parent=self, services=[LOGS_SERVICE], aws_context=self._ctx)
        return encrypted_log_group(child_name(self._name, "logs"),
                                   retention_days=self.args.log_retention_days,
                                   kms_key_arn=key.arn, parent=self)

    # ---- network --------------------------------------------------------------------------

    def _alb_group(self) -> aws.ec2.SecurityGroup:
        """ALB: 443 from CloudFront (or 80/443 from the world); out only to the tasks."""
        alb_sg = aws.ec2.SecurityGroup(
            child_name(self._name, "alb-sg"), vpc_id=self.args.vpc_id,
            description=f"{self._name} load balancer: HTTPS from {self.args.ingress}",
            tags=self._tags("alb-sg"), opts=self._opts())
        if self.args.ingress == "cloudfront":
            # Only CloudFront reaches the ALB (HTTPS to the origin): its WAF is not bypassed.
            # The AWS-managed list's id differs per region: look it up by its fixed name.
            origin_facing = aws.ec2.get_managed_prefix_list_output(
                name=CLOUDFRONT_ORIGIN_FACING, opts=pulumi.InvokeOutputOptions(parent=self))
            aws.vpc.SecurityGroupIngressRule(
                child_name(self._name, "alb-in-cloudfront"),
                security_group_id=alb_sg.id, ip_protocol="tcp", from_port=443, to_port=443,
                prefix_list_id=origin_facing.id,
                description="HTTPS from CloudFront's origin-facing addresses only",
                opts=self._opts())
        else:
            for listener_port in (80, 443):
                aws.vpc.SecurityGroupIngressRule(
                    child_name(self._name, f"alb-in-{listener_port}"),
                    security_group_id=alb_sg.id, ip_protocol="tcp", from_port=listener_port,
                    to_port=listener_port, cidr_ipv4="0.0.0.0/0",
                    description=f"Port {listener_port} from the internet", opts=self._opts())
        return alb_sg

    def _service_group(self) -> aws.ec2.SecurityGroup:
        """Tasks: in only from the ALB (`_admit_alb`); out to AWS APIs and the internet."""
        service_sg = aws.ec2.SecurityGroup(
            child_name(self._name, "service-sg"), vpc_id=self.args.vpc_id,
            description=f"{self._name} tasks: app port from the load balancer only",
            tags=self._tags("service-sg"), opts=self._opts())
        # Tasks reach ECR, Secrets Manager, data stores and third-party APIs.
        aws.vpc.SecurityGroupEgressRule(
            child_name(self._name, "service-out"), security_group_id=service_sg.id,
            ip_protocol="-1", cidr_ipv4="0.0.0.0/0",
            description="Outbound to AWS APIs, data stores and the internet via NAT",
            opts=self._opts())
        return service_sg

    def _admit_alb(self, alb_sg_id: pulumi.Input[str],
                   service_sg: aws.ec2.SecurityGroup) -> None:
        port = self.args.container_port
        aws.vpc.SecurityGroupEgressRule(
            child_name(self._name, "alb-out-tasks"), security_group_id=alb_sg_id,
            ip_protocol="tcp", from_port=port, to_port=port,
            referenced_security_group_id=service_sg.id,
            description=f"To {self._name}'s app port", opts=self._opts())
        aws.vpc.SecurityGroupIngressRule(
            child_name(self._name, "service-in-alb"), security_group_id=service_sg.id,
            ip_protocol="tcp", from_port=port, to_port=port,
            referenced_security_group_id=alb_sg_id,
            description="App port from the load balancer", opts=self._opts())

    def _target_group(self) -> aws.lb.TargetGroup:
        return aws.lb.TargetGroup(
            child_name(self._name, "tg"),
            vpc_id=self.args.vpc_id,
            target_type="ip",
            protocol="HTTP",
            port=self.args.container_port,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, path=self.args.health_check_path, protocol="HTTP",
                port="traffic-port", matcher="200-399", interval=15, timeout=5,
                healthy_threshold=2, unhealthy_threshold=3),
            tags=self._tags("tg"), opts=self._opts())

    def _listener_rule(self, https: aws.lb.Listener, target_group: aws.lb.TargetGroup,
                       ) -> aws.lb.ListenerRule:
        return aws.lb.ListenerRule(
            child_name(self._name, "route"), listener_arn=https.arn,
            priority=self.args.listener_priority,
            conditions=[aws.lb.ListenerRuleConditionArgs(
                path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(
                    values=list(self.args.path_patterns)))],
            actions=[aws.lb.ListenerRuleActionArgs(type="forward",
                                                   target_group_arn=target_group.arn)],
            tags=self._tags("route"), opts=self._opts())

    def _load_balancer(self, alb_sg: aws.ec2.SecurityGroup, target_group: aws.lb.TargetGroup,
                       ) -> tuple[aws.lb.LoadBalancer, aws.lb.Listener]:
        args = self.args
        cert = certificate(self, self._name, certificate_arn=args.certificate_arn,
                           domain_name=args.domain_name, route53_zone_id=args.route53_zone_id,
                           tags=args.tags)
        self.certificate_validation_records = cert.validation_records
        balancer = https_load_balancer(
            self, self._name, subnet_ids=args.public_subnet_ids, security_group_id=alb_sg.id,
            target_group_arn=target_group.arn, certificate_arn=cert.arn, protect=args.protect,
            access_log_retention_days=args.access_log_retention_days, tags=args.tags)
        self.access_log_bucket = balancer.access_log_bucket.bucket_name
        return balancer.alb, balancer.https

    # ---- cluster, IAM, task, service ------------------------------------------------------

    def _capacity_strategy(self) -> list[dict[str, object]]:
        strategy = [{"capacity_provider": "FARGATE", "base": self.args.fargate_base,
                     "weight": self.args.fargate_weight}]
        if self.args.fargate_spot_weight:
            strategy.append({"capacity_provider": "FARGATE_SPOT", "base": 0,
                             "weight": self.args.fargate_spot_weight})
        return strategy

    def _cluster(self) -> aws.ecs.Cluster:
        cluster = aws.ecs.Cluster(
            child_name(self._name, "cluster"),
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights",
                                                 value=self.args.container_insights)],
            tags=self._tags("cluster"), opts=self._opts())
        aws.ecs.ClusterCapacityProviders(
            child_name(self._name, "capacity-providers"),
            cluster_name=cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(**s)
                for s in self._capacity_strategy()],
            opts=self._opts())
        return cluster

    def _roles(self, repository: aws.ecr.Repository, log_group: aws.cloudwatch.LogGroup
               ) -> tuple[aws.iam.Role, aws.iam.Role]:
        """Execution role: pull this repository, write this log group, read only the listed
        secrets. Task role: nothing until the caller grants the app's own permissions.
        Both trust ecs-tasks only from this account's ECS in this region."""
        ctx = self._ctx
        source_arn = pulumi.Output.concat("arn:", ctx.partition, ":ecs:", ctx.region, ":",
                                          ctx.account_id, ":*")

        def tasks_role(role: str, description: str,
                       inline_policies: dict[str, pulumi.Output[str]] | None = None
                       ) -> aws.iam.Role:
            return service_role(self._name, role, services="ecs-tasks.amazonaws.com",
                                parent=self, aws_context=ctx, source_arn_like=source_arn,
                                description=description, tags=self.args.tags,
                                inline_policies=inline_policies)

        secret_arns = list(self.args.secrets.values())
        key_arns = list(self.args.secret_kms_key_arns)
        execution = tasks_role(
            "execution-role",
            f"{self._name}: ECS agent pulls the image, writes logs, reads secrets",
            {"execution-policy": pulumi.Output.all(
                repository.arn, log_group.arn, secret_arns, key_arns, ctx.partition,
                ctx.region).apply(lambda a: _execution_policy(
                    a[0], a[1], a[2], a[3], guardduty_agent=(
                        f"arn:{a[4]}:ecr:{a[5]}:*:repository/{GUARDDUTY_AGENT_REPOSITORY}"
                        if self.args.guardduty_agent else None)))})
        task = tasks_role("task-role", f"{self._name}: the application's own AWS permissions")
        return execution, task

    def _task_definition(self, repository: aws.ecr.Repository,
                         log_group: aws.cloudwatch.LogGroup, execution: aws.iam.Role,
                         task: aws.iam.Role) -> aws.ecs.TaskDefinition:
        args = self.args
        image = args.image if args.image is not None else pulumi.Output.concat(
            repository.repository_url, ":", args.image_tag)
        container = {
            "name": CONTAINER_NAME,
            "image": image,
            "essential": True,
            "readonlyRootFilesystem": args.readonly_root_filesystem,
            "portMappings": [{"containerPort": args.container_port, "protocol": "tcp"}],
            "environment": [{"name": k, "value": v} for k, v in sorted(args.environment.items())],
            "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(args.secrets.items())],
            "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": log_group.name,
                "awslogs-region": self._ctx.region,
                "awslogs-stream-prefix": self._name,
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            }},
        }
        return aws.ecs.TaskDefinition(
            child_name(self._name, "task"),
            family=physical_name(self._name, "task", limit=255),
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(args.cpu),
            memory=str(args.memory),
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture=args.cpu_architecture),
            execution_role_arn=execution.arn,
            task_role_arn=task.arn,
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name="tmp")],
            container_definitions=pulumi.Output.json_dumps([container]),
            tags=self._tags("task"), opts=self._opts())

    def _service(self, cluster: aws.ecs.Cluster, task: aws.ecs.TaskDefinition,
                 target_group: aws.lb.TargetGroup, service_sg: aws.ec2.SecurityGroup,
                 https: pulumi.Resource) -> aws.ecs.Service:
        return aws.ecs.Service(
            child_name(self._name, "service"),
            cluster=cluster.arn,
            task_definition=task.arn,
            desired_count=self.args.min_tasks,
            capacity_provider_strategies=[aws.ecs.ServiceCapacityProviderStrategyArgs(**s)
                                          for s in self._capacity_strategy()],
            platform_version="LATEST",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(self.args.private_subnet_ids), security_groups=[service_sg.id],
                assign_public_ip=False),
            load_balancers=[aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=target_group.arn, container_name=CONTAINER_NAME,
                container_port=self.args.container_port)],
            health_check_grace_period_seconds=60,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True),
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            availability_zone_rebalancing="ENABLED",
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            enable_execute_command=False,
            wait_for_steady_state=False,
            tags=self._tags("service"),
            # Autoscaling owns the task count after creation.
            opts=self._opts(depends_on=[https], ignore_changes=["desiredCount"]))

    def _autoscaling(self, cluster: aws.ecs.Cluster, service: aws.ecs.Service) -> None:
        target = aws.appautoscaling.Target(
            child_name(self._name, "scaling-target"),
            service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", cluster.name, "/", service.name),
            min_capacity=self.args.min_tasks, max_capacity=self.args.max_tasks,
            opts=self._opts())
        for metric, value in (("CPU", self.args.cpu_target_percent),
                              ("Memory", self.args.memory_target_percent)):
            aws.appautoscaling.Policy(
                child_name(self._name, f"scale-{metric.lower()}"),
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=aws.appautoscaling.
                PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    target_value=float(value),
                    predefined_metric_specification=aws.appautoscaling.
                    PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type=f"ECSServiceAverage{metric}Utilization"),
                    scale_in_cooldown=self.args.scale_in_cooldown_seconds,
                    scale_out_cooldown=self.args.scale_out_cooldown_seconds),
                opts=self._opts())


def _execution_policy(repository_arn: str, log_group_arn: str, secret_arns: list[str],
                      key_arns: list[str], guardduty_agent: str | None = None) -> str:
    statements: list[dict[str, object]] = [
        {"Sid": "EcrAuth", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
         "Resource": "*"},
        {"Sid": "EcrPull", "Effect": "Allow",
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability"],
         "Resource": repository_arn},
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"{log_group_arn}:*"},
    ]
    if guardduty_agent:
        statements.append({"Sid": "GuardDutyAgentPull", "Effect": "Allow",
                           "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                      "ecr:BatchCheckLayerAvailability"],
                           "Resource": guardduty_agent})
    if secret_arns:
        statements.append({"Sid": "Secrets", "Effect": "Allow",
                           "Action": "secretsmanager:GetSecretValue",
                           "Resource": sorted(secret_arns)})
    if key_arns:
        statements.append({"Sid": "SecretKeys", "Effect": "Allow", "Action": "kms:Decrypt",
                           "Resource": sorted(key_arns)})
    return policy_document(statements)

