"""Calls what real programs call: data sources, resource references, applies on computed
outputs, a nested component, global resources, a stack reference and (optionally) a
multi-language component."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
print("program output goes to stderr")  # must not reach stdout (--format json stays JSON)
pulumi.export("dry_run", pulumi.runtime.is_dry_run())

ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                      filters=[{"name": "name", "values": ["al2023-ami-*"]}])
default_vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [default_vpc.id]}])
zones = aws.get_availability_zones()
zone = aws.route53.get_zone(name=config.get("domain") or "example.com")
token = aws.ecr.get_authorization_token()
ipam = aws.ec2.get_instance_type(instance_type="t3.micro")  # no curated answer: typed
document = aws.iam.get_policy_document(statements=[{
    "sid": "Assume", "actions": ["sts:AssumeRole"],
    "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]}])

app_vpc = aws.ec2.Vpc("app-vpc", cidr_block="10.1.0.0/16")
group = aws.ec2.SecurityGroup("web", vpc_id=app_vpc, description="web")  # a resource as input
instance = aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro",
                            subnet_id=subnets.ids[0], vpc_security_group_ids=[group.id])
role = aws.iam.Role("web", assume_role_policy=document.json)


class Site(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("preview:index:Site", name, None, opts)
        self.logs = Logs(f"{name}-logs", pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


class Logs(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("preview:index:Logs", name, None, opts)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


site = Site("site")
acl = aws.wafv2.WebAcl("edge", scope="CLOUDFRONT", default_action={"allow": {}},
                       visibility_config={"cloudwatch_metrics_enabled": True,
                                          "metric_name": "edge", "sampled_requests_enabled": True})
hosted = aws.route53.Zone("internal", name="internal.example.org")
resolver = aws.route53.ResolverEndpoint(
    "resolver", direction="INBOUND", security_group_ids=[group.id],
    ip_addresses=[{"subnet_id": subnets.ids[0]}])

api = aws.apigateway.RestApi("api")
deployment = aws.apigateway.Deployment("api", rest_api=api.id)
stage = aws.apigateway.Stage("api", rest_api=api.id, deployment=deployment.id, stage_name="v1")
network = pulumi.StackReference("acme/network/prod")

if config.get_bool("remote"):
    class Cluster(pulumi.ComponentResource):
        """Stands in for a multi-language component (pulumi-eks, pulumi-awsx)."""

        def __init__(self, name: str, props: dict) -> None:
            super().__init__("eks:index:Cluster", name, {**props, "kubeconfig": None}, None,
                             remote=True)

    cluster = Cluster("cluster", {"endpointPublicAccess": True, "vpcId": app_vpc.id})
    pulumi.export("kubeconfig", cluster.kubeconfig)  # type: ignore[attr-defined]

pulumi.export("source_arn", stage.execution_arn.apply(lambda arn: arn + "*/*"))
pulumi.export("vpc_id", app_vpc.id)
pulumi.export("bucket_arn", site.logs.bucket.arn)
pulumi.export("shared_subnets", network.get_output("privateSubnetIds"))
pulumi.export("zones", zones.names)
pulumi.export("policy", json.loads(document.json))
pulumi.export("instance_vcpus", ipam.default_vcpus)
pulumi.export("registry", token.proxy_endpoint)
pulumi.export("zone_id", zone.zone_id)
