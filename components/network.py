"""Network: a VPC with public, private and isolated subnets over the stack's AZs.

Inputs follow terraform-aws-modules/vpc and CDK's Vpc; defaults are the production choice
(a NAT gateway per AZ, flow logs on, the default security group emptied).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.iam import policy_document, service_role
from components.kms import customer_key
from components.labels import child_name, resource_tags
from components.logs import LOGS_SERVICE, check_log_retention, encrypted_log_group
from components.monitoring import MonitoredResource
from components.subnet_plan import carve_subnets

NatStrategy = Literal["none", "single", "one-per-az"]
NAT_STRATEGIES: tuple[str, ...] = ("none", "single", "one-per-az")
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager")


@dataclass(frozen=True, kw_only=True)
class NetworkSettings:
    nat_strategy: NatStrategy = "one-per-az"
    """`one-per-az` (default) keeps egress up when an AZ fails; `single` is cheaper; `none`."""
    public_subnets: bool = True
    """Public tier (load balancers, NAT gateways)."""
    interface_endpoints: bool = True
    """Interface endpoints (`interface_endpoint_services`) in the private tier, so image pulls,
    logs and secrets stay off the NAT; off in dev to save the hourly endpoint cost."""
    interface_endpoint_services: tuple[str, ...] = INTERFACE_ENDPOINT_SERVICES
    """Services (`com.amazonaws.<region>.<service>`) given interface endpoints: ECR api/dkr,
    STS, CloudWatch Logs and Secrets Manager by default."""
    flow_logs: bool = True
    """VPC flow logs (ALL traffic) to a KMS-encrypted CloudWatch log group."""

    def __post_init__(self) -> None:
        if self.nat_strategy not in NAT_STRATEGIES:
            raise ValueError(f"nat_strategy: '{self.nat_strategy}' is unknown; use one of "
                             f"{', '.join(NAT_STRATEGIES)}")
        if self.nat_strategy != "none" and not self.public_subnets:
            raise ValueError(f"nat_strategy: '{self.nat_strategy}' needs public subnets for "
                             "its NAT gateways; set public_subnets=True or nat_strategy='none'")
        if self.interface_endpoints and not self.interface_endpoint_services:
            raise ValueError("interface_endpoint_services: empty while interface_endpoints is "
                             "on; list services or set interface_endpoints=False")
        if len(set(self.interface_endpoint_services)) != len(self.interface_endpoint_services):
            raise ValueError("interface_endpoint_services: duplicates; list each service once")


@dataclass(frozen=True, kw_only=True)
class NetworkArgs(NetworkSettings):
    cidr_block: str
    """VPC IPv4 range, /22 or larger; carved into fixed tier blocks (components/subnet_plan.py)."""
    availability_zones: list[str]
    """AZ names, in address-plan order: the i-th AZ always gets slot i of every tier."""
    log_retention_days: int = 365
    """Retention of the flow-log group."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on the VPC."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.availability_zones:
            raise ValueError("availability_zones: empty; give at least one AZ name")
        if len(set(self.availability_zones)) != len(self.availability_zones):
            raise ValueError("availability_zones: duplicates; list each AZ once")
        # child_name(name, role, zone) names children by the zone's last character.
        suffixes = [zone[-1] for zone in self.availability_zones]
        shared = sorted({suffix for suffix in suffixes if suffixes.count(suffix) > 1})
        if shared:
            raise ValueError(f"availability_zones: {', '.join(self.availability_zones)} share "
                             f"the suffix {', '.join(map(repr, shared))}; child resources are "
                             "named by it, so list zones whose last characters differ")
        check_log_retention("log_retention_days", self.log_retention_days)
        carve_subnets(self.cidr_block, len(self.availability_zones))


class Network(pulumi.ComponentResource):
    """VPC, three subnet tiers, routing, endpoints, flow logs and data-tier subnet groups."""

    vpc_id: pulumi.Output[str]
    """The VPC's id."""
    vpc_cidr_block: str
    """The VPC's IPv4 range (plain: security group rules may use it)."""
    subnet_cidrs: dict[str, list[str]]
    """Tier -> subnet CIDRs in AZ order (plain, from the address plan)."""
    public_subnet_ids: list[pulumi.Output[str]]
    """Public subnets, one per AZ in AZ order (empty without public subnets)."""
    private_subnet_ids: list[pulumi.Output[str]]
    """Private (workload) subnets with NAT egress, one per AZ."""
    isolated_subnet_ids: list[pulumi.Output[str]]
    """Isolated (data) subnets without an internet route, one per AZ."""
    private_route_table_ids: list[pulumi.Output[str]]
    """Route tables of the private subnets, one per AZ (for extra routes, e.g. peering)."""
    isolated_route_table_id: pulumi.Output[str]
    """Route table of the isolated subnets (local routes and gateway endpoints only)."""
    gateway_prefix_list_ids: list[pulumi.Output[str]]
    """Prefix lists of the S3 and DynamoDB gateway endpoints (for security group egress)."""
    nat_gateway_ids: list[pulumi.Output[str]]
    """NAT gateways: one per AZ, one, or none, per `nat_strategy`."""
    endpoint_security_group_id: pulumi.Output[str] | None
    """Security group of the interface endpoints (None without them)."""
    db_subnet_group_name: pulumi.Output[str]
    """RDS / Aurora subnet group over the isolated subnets."""
    docdb_subnet_group_name: pulumi.Output[str]
    """DocumentDB subnet group over the isolated subnets."""
    cache_subnet_group_name: pulumi.Output[str]
    """ElastiCache subnet group over the isolated subnets."""
    availability_zones: list[str]
    """The AZ names the subnets span."""
    monitored: list[MonitoredResource]
    """NAT gateways, for port-allocation alarms."""

    def __init__(self, name: str, args: NetworkArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:network:Network", name, None, opts)
        self._name = name
        self.args = args
        self.availability_zones = list(args.availability_zones)
        self.monitored = []
        child = pulumi.ResourceOptions(parent=self)
        plan = carve_subnets(args.cidr_block, len(args.availability_zones))
        self.vpc_cidr_block = args.cidr_block
        self.subnet_cidrs = {tier: list(cidrs) for tier, cidrs in plan.items()
                             if tier != "public" or args.public_subnets}

        vpc = aws.ec2.Vpc(
            child_name(name, "vpc"),
            cidr_block=args.cidr_block,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=resource_tags(child_name(name, "vpc"), extra=args.tags),
            opts=child,
        )
        self.vpc_id = vpc.id
        # Nothing is open by default: the default security group keeps no rules.
        aws.ec2.DefaultSecurityGroup(
            child_name(name, "default-sg"), vpc_id=vpc.id, ingress=[], egress=[],
            tags=resource_tags(child_name(name, "default-sg")), opts=child)

        subnets = {tier: self._subnets(vpc, tier, cidrs) for tier, cidrs in plan.items()
                   if tier != "public" or args.public_subnets}
        self.public_subnet_ids = [s.id for s in subnets.get("public", [])]
        self.private_subnet_ids = [s.id for s in subnets["private"]]
        self.isolated_subnet_ids = [s.id for s in subnets["isolated"]]

        nat_ids = self._nat_gateways(vpc, subnets.get("public", []))
        self.nat_gateway_ids = nat_ids
        private_tables = self._private_route_tables(vpc, subnets["private"], nat_ids)
        isolated_table = aws.ec2.RouteTable(
            child_name(name, "isolated-rt"), vpc_id=vpc.id,
            tags=resource_tags(child_name(name, "isolated-rt")), opts=child)
        for index, subnet in enumerate(subnets["isolated"]):
            aws.ec2.RouteTableAssociation(
                child_name(name, "isolated-rta", args.availability_zones[index]),
                subnet_id=subnet.id, route_table_id=isolated_table.id, opts=child)

        self.private_route_table_ids = [t.id for t in private_tables]
        self.isolated_route_table_id = isolated_table.id
        route_table_ids = [t.id for t in private_tables] + [isolated_table.id]
        self.gateway_prefix_list_ids = []
        for service in GATEWAY_ENDPOINT_SERVICES:
            gateway = aws.ec2.VpcEndpoint(
                child_name(name, f"{service}-endpoint"),
                vpc_id=vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", vpc.region, f".{service}"),
                vpc_endpoint_type="Gateway",
                route_table_ids=route_table_ids,
                tags=resource_tags(child_name(name, f"{service}-endpoint")),
                opts=child,
            )
            self.gateway_prefix_list_ids.append(gateway.prefix_list_id)
        self.endpoint_security_group_id = (
            self._interface_endpoints(vpc) if args.interface_endpoints else None)
        if args.flow_logs:
            self._flow_logs(vpc)

        self.db_subnet_group_name = aws.rds.SubnetGroup(
            child_name(name, "db-subnets"), subnet_ids=self.isolated_subnet_ids,
            description=f"Isolated subnets of {name} for RDS / Aurora",
            tags=resource_tags(child_name(name, "db-subnets")), opts=child).name
        self.docdb_subnet_group_name = aws.docdb.SubnetGroup(
            child_name(name, "docdb-subnets"), subnet_ids=self.isolated_subnet_ids,
            description=f"Isolated subnets of {name} for DocumentDB",
            tags=resource_tags(child_name(name, "docdb-subnets")), opts=child).name
        self.cache_subnet_group_name = aws.elasticache.SubnetGroup(
            child_name(name, "cache-subnets"), subnet_ids=self.isolated_subnet_ids,
            description=f"Isolated subnets of {name} for ElastiCache",
            tags=resource_tags(child_name(name, "cache-subnets")), opts=child).name

        self.register_outputs({
            "vpcId": self.vpc_id,
            "publicSubnetIds": self.public_subnet_ids,
            "privateSubnetIds": self.private_subnet_ids,
            "isolatedSubnetIds": self.isolated_subnet_ids,
            "privateRouteTableIds": self.private_route_table_ids,
            "isolatedRouteTableId": self.isolated_route_table_id,
            "natGatewayIds": self.nat_gateway_ids,
            "dbSubnetGroupName": self.db_subnet_group_name,
            "docdbSubnetGroupName": self.docdb_subnet_group_name,
            "cacheSubnetGroupName": self.cache_subnet_group_name,
        })

    def _subnets(self, vpc: aws.ec2.Vpc, tier: str, cidrs: list[str]) -> list[aws.ec2.Subnet]:
        subnets = []
        for zone, cidr in zip(self.args.availability_zones, cidrs, strict=True):
            name = child_name(self._name, f"{tier}-subnet", zone)
            subnets.append(aws.ec2.Subnet(
                name,
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags=resource_tags(name, extra={
                    "tier": tier,
                    # Load balancer controllers find their subnets by these tags.
                    **({"kubernetes.io/role/elb": "1"} if tier == "public" else {}),
                    **({"kubernetes.io/role/internal-elb": "1"} if tier == "private" else {}),
                }),
                opts=pulumi.ResourceOptions(parent=self),
            ))
        return subnets

    def _nat_gateways(self, vpc: aws.ec2.Vpc,
                      public: list[aws.ec2.Subnet]) -> list[pulumi.Output[str]]:
        child = pulumi.ResourceOptions(parent=self)
        if not public:
            return []
        igw = aws.ec2.InternetGateway(child_name(self._name, "igw"), vpc_id=vpc.id,
                                      tags=resource_tags(child_name(self._name, "igw")),
                                      opts=child)
        public_table = aws.ec2.RouteTable(
            child_name(self._name, "public-rt"), vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags=resource_tags(child_name(self._name, "public-rt")), opts=child)
        zones = self.args.availability_zones
        for zone, subnet in zip(zones, public, strict=True):
            aws.ec2.RouteTableAssociation(child_name(self._name, "public-rta", zone),
                                          subnet_id=subnet.id, route_table_id=public_table.id,
                                          opts=child)
        nat_count = {"none": 0, "single": 1, "one-per-az": len(zones)}[self.args.nat_strategy]
        nat_ids = []
        for zone, subnet in list(zip(zones, public, strict=True))[:nat_count]:
            eip = aws.ec2.Eip(child_name(self._name, "nat-eip", zone), domain="vpc",
                              tags=resource_tags(child_name(self._name, "nat-eip", zone)),
                              opts=child)
            nat = aws.ec2.NatGateway(
                child_name(self._name, "nat", zone), allocation_id=eip.id, subnet_id=subnet.id,
                tags=resource_tags(child_name(self._name, "nat", zone)),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]))
            self.monitored.append(MonitoredResource(
                kind="nat-gateway", name=child_name(self._name, "nat", zone),
                dimensions={"NatGatewayId": nat.id}))
            nat_ids.append(nat.id)
        return nat_ids

    def _private_route_tables(self, vpc: aws.ec2.Vpc, private: list[aws.ec2.Subnet],
                              nat_ids: list[pulumi.Output[str]]) -> list[aws.ec2.RouteTable]:
        """One table per AZ, so each AZ's egress goes through its own NAT when there is one."""
        tables = []
        for index, (zone, subnet) in enumerate(
                zip(self.args.availability_zones, private, strict=True)):
            routes = []
            if nat_ids:
                routes.append(aws.ec2.RouteTableRouteArgs(
                    cidr_block="0.0.0.0/0", nat_gateway_id=nat_ids[min(index, len(nat_ids) - 1)]))
            table = aws.ec2.RouteTable(
                child_name(self._name, "private-rt", zone), vpc_id=vpc.id, routes=routes,
                tags=resource_tags(child_name(self._name, "private-rt", zone)),
                opts=pulumi.ResourceOptions(parent=self))
            aws.ec2.RouteTableAssociation(child_name(self._name, "private-rta", zone),
                                          subnet_id=subnet.id, route_table_id=table.id,
                                          opts=pulumi.ResourceOptions(parent=self))
            tables.append(table)
        return tables

    def _interface_endpoints(self, vpc: aws.ec2.Vpc) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        sg_name = child_name(self._name, "endpoints-sg")
        endpoint_sg = aws.ec2.SecurityGroup(
            sg_name, vpc_id=vpc.id,
            description="HTTPS from inside the VPC to AWS interface endpoints",
            ingress=[aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=443, to_port=443, cidr_blocks=[self.args.cidr_block],
                description="HTTPS from the VPC")],
            tags=resource_tags(sg_name), opts=child)
        for service in self.args.interface_endpoint_services:
            endpoint_name = child_name(self._name, f"{service.replace('.', '-')}-endpoint")
            aws.ec2.VpcEndpoint(
                endpoint_name,
                vpc_id=vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", vpc.region, f".{service}"),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[endpoint_sg.id],
                tags=resource_tags(endpoint_name),
                opts=child,
            )
        return endpoint_sg.id

    def _flow_logs(self, vpc: aws.ec2.Vpc) -> None:
        child = pulumi.ResourceOptions(parent=self)
        ctx = AwsContext.of(self)
        key = customer_key(self._name, "flow-logs-key", description=f"{self._name} VPC flow logs",
                           parent=self, services=[LOGS_SERVICE], aws_context=ctx)
        log_group = encrypted_log_group(child_name(self._name, "flow-logs"),
                                        retention_days=self.args.log_retention_days,
                                        kms_key_arn=key.arn, parent=self)
        role = service_role(
            self._name, "flow-logs-role", services="vpc-flow-logs.amazonaws.com", parent=self,
            aws_context=ctx,
            inline_policies={"flow-logs-policy": log_group.arn.apply(lambda arn: policy_document([{
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents",
                           "logs:DescribeLogStreams"],
                "Resource": [arn, f"{arn}:*"],
            }]))})
        aws.ec2.FlowLog(
            child_name(self._name, "flow-log"), vpc_id=vpc.id, traffic_type="ALL",
            log_destination_type="cloud-watch-logs", log_destination=log_group.arn,
            iam_role_arn=role.arn, max_aggregation_interval=60,
            tags=resource_tags(child_name(self._name, "flow-log")), opts=child)
