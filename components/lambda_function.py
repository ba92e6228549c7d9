"""LambdaFunction: one function packaged from a folder of the repository, with what every
production function needs and nothing it does not.

- code: `source_dir` zipped by Pulumi (`pulumi.AssetArchive` of a `FileArchive`), so a change
  to the folder is a change of the plan;
- its own role: trusted by Lambda for this account only, whose inline policy is the
  caller's `statements` plus exactly the function's own log group, X-Ray segments, its
  dead-letter queue and (in a VPC) the network-interface actions Lambda needs;
- a log group (retention, its own KMS key) the function writes to in JSON;
- X-Ray active tracing, reserved concurrency (the function's share of the account's pool);
- a dead-letter queue (SQS, KMS) for asynchronous invocations that failed every retry;
- in a VPC when `subnet_ids` is given, with its own security group: no ingress, HTTPS egress
  to the given ranges and prefix lists only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.iam import policy_document, role_policy, service_role
from components.kms import customer_key
from components.labels import child_name, resource_tags
from components.logs import LOGS_SERVICE, check_log_retention, encrypted_log_group
from components.monitoring import MonitoredResource

LAMBDA_SERVICE = "lambda.amazonaws.com"
RUNTIMES: tuple[str, ...] = ("python3.12", "python3.13")
# Lambda's ENI management for VPC functions (AWSLambdaVPCAccessExecutionRole); AWS does not
# support resource-level permissions for these, so they are scoped to the account's region.
VPC_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
               "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
               "ec2:UnassignPrivateIpAddresses"]
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]


@dataclass(frozen=True, kw_only=True)
class LambdaFunctionArgs:
    source_dir: Path
    """Folder of the repository holding the handler module(s); zipped as the code."""
    handler: str
    """`module.function` inside `source_dir`."""
    statements: pulumi.Input[Sequence[dict[str, Any]]] = ()
    """The function's own IAM statements (least privilege: its table, bucket prefix, service
    actions); logs, tracing and the DLQ are added here."""
    environment: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """Environment variables."""
    runtime: str = "python3.12"
    """Python runtime."""
    memory_mb: int = 256
    """Memory (and with it CPU) of the function."""
    timeout_seconds: int = 10
    """Longest run before Lambda stops it."""
    reserved_concurrency: int = 10
    """Reserved concurrent executions: a ceiling (and a guaranteed share) per function."""
    subnet_ids: Sequence[pulumi.Input[str]] = ()
    """Private subnets to run in (none = outside any VPC)."""
    vpc_id: pulumi.Input[str] | None = None
    """The VPC of `subnet_ids` (for the function's security group)."""
    egress_cidr_blocks: Sequence[str] = ()
    """In a VPC: ranges the function may reach on HTTPS (e.g. the VPC's, for interface
    endpoints)."""
    egress_prefix_list_ids: Sequence[pulumi.Input[str]] = ()
    """In a VPC: prefix lists the function may reach on HTTPS (gateway endpoints)."""
    log_retention_days: int = 365
    """Retention of the function's log group."""
    description: str = ""
    """What the function does (its console description)."""

    def __post_init__(self) -> None:
        if not (self.source_dir / f"{self.handler.rsplit('.', 1)[0]}.py").is_file():
            raise ValueError(f"handler: '{self.handler}' names no module in {self.source_dir}; "
                             "give module.function of a .py file in source_dir")
        if self.runtime not in RUNTIMES:
            raise ValueError(f"runtime: '{self.runtime}' is not supported; use one of "
                             f"{', '.join(RUNTIMES)}")
        if not 128 <= self.memory_mb <= 10240:
            raise ValueError(f"memory_mb: {self.memory_mb} is outside Lambda's 128-10240 MB")
        if not 1 <= self.timeout_seconds <= 900:
            raise ValueError(f"timeout_seconds: {self.timeout_seconds} is outside Lambda's "
                             "1-900 s")
        if self.reserved_concurrency < 1:
            raise ValueError(f"reserved_concurrency: {self.reserved_concurrency} would stop the "
                             "function; give at least 1")
        if bool(self.subnet_ids) != (self.vpc_id is not None):
            raise ValueError("subnet_ids: give subnet_ids and vpc_id together (in a VPC) or "
                             "neither (outside)")
        if self.subnet_ids and not (self.egress_cidr_blocks or self.egress_prefix_list_ids):
            raise ValueError("egress_cidr_blocks: a function in a VPC reaches nothing without "
                             "egress; give egress_cidr_blocks or egress_prefix_list_ids")
        check_log_retention("log_retention_days", self.log_retention_days)


class LambdaFunction(pulumi.ComponentResource):
    """A Lambda function with its own role, encrypted logs, tracing, DLQ and concurrency."""

    function_name: pulumi.Output[str]
    function_arn: pulumi.Output[str]
    invoke_arn: pulumi.Output[str]
    """What API Gateway integrations call."""
    role_arn: pulumi.Output[str]
    dead_letter_queue_arn: pulumi.Output[str]
    monitored: list[MonitoredResource]
    """The function (kind `lambda`: error rate and throttles)."""

    def __init__(self, name: str, args: LambdaFunctionArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:lambda_function:LambdaFunction", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = AwsContext.of(self)
        key = customer_key(name, "key", description=f"{name}: logs and dead letters",
                           parent=self, services=[LOGS_SERVICE, LAMBDA_SERVICE],
                           aws_context=ctx)
        log_group = encrypted_log_group(child_name(name, "logs"),
                                        retention_days=args.log_retention_days,
                                        kms_key_arn=key.arn, parent=self)
        dlq_name = child_name(name, "dlq")
        dlq = aws.sqs.Queue(dlq_name, kms_master_key_id=key.arn,
                            kms_data_key_reuse_period_seconds=300,
                            message_retention_seconds=14 * 86_400,
                            tags=resource_tags(dlq_name), opts=child)
        role = service_role(name, "role", services=LAMBDA_SERVICE, parent=self,
                            aws_context=ctx, description=f"{name}: {args.description}")
        in_vpc = bool(args.subnet_ids)
        policy = role_policy(name, "policy", role=role, parent=self, policy=pulumi.Output.all(
            args.statements, log_group.arn, dlq.arn, key.arn, ctx.partition, ctx.region,
            ctx.account_id).apply(lambda a: policy_document(
                [*a[0], *self._runtime_statements(*a[1:], in_vpc=in_vpc)])))
        vpc_config = None
        if in_vpc:
            group_name = child_name(name, "sg")
            egress = []
            if args.egress_cidr_blocks:
                egress.append(aws.ec2.SecurityGroupEgressArgs(
                    protocol="tcp", from_port=443, to_port=443,
                    cidr_blocks=list(args.egress_cidr_blocks), description="HTTPS to ranges"))
            if args.egress_prefix_list_ids:
                egress.append(aws.ec2.SecurityGroupEgressArgs(
                    protocol="tcp", from_port=443, to_port=443,
                    prefix_list_ids=list(args.egress_prefix_list_ids),
                    description="HTTPS to prefix lists"))
            group = aws.ec2.SecurityGroup(
                group_name, vpc_id=args.vpc_id, description=f"{name}: HTTPS egress only",
                ingress=[], egress=egress, tags=resource_tags(group_name), opts=child)
            vpc_config = aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=list(args.subnet_ids), security_group_ids=[group.id])
        function = aws.lambda_.Function(
            child_name(name, "function"),
            description=args.description,
            runtime=args.runtime, handler=args.handler, architectures=["arm64"],
            code=pulumi.AssetArchive({".": pulumi.FileArchive(str(args.source_dir))}),
            role=role.arn, memory_size=args.memory_mb, timeout=args.timeout_seconds,
            reserved_concurrent_executions=args.reserved_concurrency,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=args.environment)
            if args.environment else None,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dlq.arn),
            kms_key_arn=key.arn,
            vpc_config=vpc_config,
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=log_group.name, application_log_level="INFO",
                system_log_level="WARN"),
            tags=resource_tags(child_name(name, "function")),
            # The function's first run needs its permissions.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]))
        self.function_name = function.name
        self.function_arn = function.arn
        self.invoke_arn = function.invoke_arn
        self.role_arn = role.arn
        self.dead_letter_queue_arn = dlq.arn
        self.monitored = [MonitoredResource(kind="lambda", name=name,
                                            dimensions={"FunctionName": function.name})]
        self.register_outputs({"functionName": self.function_name,
                               "functionArn": self.function_arn, "roleArn": self.role_arn})

    @staticmethod
    def _runtime_statements(log_group_arn: str, dlq_arn: str, key_arn: str, partition: str,
                            region: str, account: str, *, in_vpc: bool) -> list[dict[str, Any]]:
        statements: list[dict[str, Any]] = [
            {"Sid": "OwnLogs", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": f"{log_group_arn}:*"},
            # X-Ray has no resource-level permissions (AWS X-Ray developer guide, IAM).
            {"Sid": "Tracing", "Effect": "Allow", "Action": XRAY_ACTIONS, "Resource": "*"},
            {"Sid": "DeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage",
             "Resource": dlq_arn},
            {"Sid": "DeadLetterKey", "Effect": "Allow",
             "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key_arn},
        ]
        if in_vpc:
            statements.append({
                "Sid": "VpcNetworkInterfaces", "Effect": "Allow", "Action": VPC_ACTIONS,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": region},
                              "ArnLikeIfExists": {"ec2:Vpc": f"arn:{partition}:ec2:{region}:"
                                                  f"{account}:vpc/*"}}})
        return statements



def allow(sid: str, actions: Sequence[str], resources: Sequence[str]) -> dict[str, Any]:
    """One Allow statement, for callers composing a function's `statements`."""
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": list(resources)}
