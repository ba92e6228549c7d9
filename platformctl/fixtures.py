"""What AWS would answer, offline: AWS-shaped outputs of new resources.

Outputs are deterministic (derived from the URN) so plans are diffable; they are the values
a preview of an existing stack would know (ids, ARNs in the resource's region and account,
endpoints). Whatever they leave out is unknown, as in a preview. Data sources are answered
in platformctl/invokes.py.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from platformctl import regions

ACCOUNT_ID = "123456789012"


def partition_of(region: str) -> str:
    return regions.partition_of(region).name


def digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


# ---- resources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewResource:
    """What the fixtures know of a resource being created."""

    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    region: str | None

    @property
    def package(self) -> str:
        return self.type.split(":", 1)[0]

    @property
    def module(self) -> str:
        """`ec2` of `aws:ec2/vpc:Vpc`, `mediapackagev2` of `aws-native:mediapackagev2:Channel`."""
        return self.type.split(":")[1].split("/")[0]

    @property
    def kind(self) -> str:
        return self.type.rsplit(":", 1)[-1]

    @property
    def partition(self) -> str:
        return partition_of(self.region or "us-east-1")

    @property
    def physical_name(self) -> str:
        """The name AWS would see: an explicit name input, else Pulumi's auto-name (suffixed)."""
        for key in ("name", "bucket", "functionName", "clusterIdentifier", "identifier",
                    "replicationGroupId", "tableName", "channelName", "channelGroupName",
                    "originEndpointName", "repositoryName", "topicName", "queueName"):
            value = self.inputs.get(key)
            if isinstance(value, str) and value:
                return value
        return f"{self.name}-{digest(self.urn, length=7)}"


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc-", "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-", "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-", "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-", "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
}
# ARN layouts that differ from arn:{partition}:{service}:{region}:{account}:{kind}/{name}.
ARN_LAYOUTS = {
    "aws:s3/bucket:Bucket": "arn:{partition}:s3:::{name}",
    "aws:iam/role:Role": "arn:{partition}:iam::{account}:role/{name}",
    "aws:iam/policy:Policy": "arn:{partition}:iam::{account}:policy/{name}",
    "aws:iam/instanceProfile:InstanceProfile":
        "arn:{partition}:iam::{account}:instance-profile/{name}",
    "aws:cloudwatch/logGroup:LogGroup": "arn:{partition}:logs:{region}:{account}:log-group:{name}",
    "aws:kms/key:Key": "arn:{partition}:kms:{region}:{account}:key/{id}",
    "aws:kms/alias:Alias": "arn:{partition}:kms:{region}:{account}:{name}",
    "aws:sns/topic:Topic": "arn:{partition}:sns:{region}:{account}:{name}",
    "aws:sqs/queue:Queue": "arn:{partition}:sqs:{region}:{account}:{name}",
    "aws:rds/cluster:Cluster": "arn:{partition}:rds:{region}:{account}:cluster:{name}",
    "aws:rds/clusterInstance:ClusterInstance": "arn:{partition}:rds:{region}:{account}:db:{name}",
    "aws:docdb/cluster:Cluster": "arn:{partition}:rds:{region}:{account}:cluster:{name}",
    "aws:lambda/function:Function": "arn:{partition}:lambda:{region}:{account}:function:{name}",
    "aws:cloudfront/distribution:Distribution":
        "arn:{partition}:cloudfront::{account}:distribution/{id}",
    "aws:dynamodb/table:Table": "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    "aws:cloudwatch/eventRule:EventRule": "arn:{partition}:events:{region}:{account}:rule/{name}",
    "aws:cloudwatch/metricAlarm:MetricAlarm":
        "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm":
        "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",
    "aws:rds/globalCluster:GlobalCluster": "arn:{partition}:rds::{account}:global-cluster:{name}",
    "aws:docdb/clusterInstance:ClusterInstance": "arn:{partition}:rds:{region}:{account}:db:{name}",
    "aws:secretsmanager/secret:Secret":
        "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-AbCdEf",
}
IDS_ARE_UUIDS = {"aws:kms/key:Key"}


def _resource_id(res: NewResource) -> str:
    if res.type in IDS_ARE_UUIDS:
        h = digest(res.urn, length=32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    prefix = ID_PREFIXES.get(res.type)
    if prefix is not None:
        return prefix + digest(res.urn)
    return res.physical_name


def _arn(res: NewResource, resource_id: str) -> str:
    layout = ARN_LAYOUTS.get(res.type)
    if layout is None:
        service = res.module
        layout = f"arn:{{partition}}:{service}:{{region}}:{{account}}:{_kebab(res.kind)}/{{name}}"
    return layout.format(partition=res.partition, region=res.region or "", account=ACCOUNT_ID,
                         name=res.physical_name, id=resource_id)


OutputFixture = Callable[[NewResource, str, str], dict[str, Any]]


def _bucket(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    name = res.physical_name
    return {"bucket": name, "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.{res.region}.amazonaws.com"}


def _eks_cluster(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    token = digest(res.urn, length=32).upper()
    return {
        "endpoint": f"https://{token}.gr7.{res.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="},
        "identities": [{"oidcs": [
            {"issuer": f"https://oidc.eks.{res.region}.amazonaws.com/id/{token}"}]}],
        "clusterId": digest(res.urn, length=36),
        "status": "ACTIVE",
        "version": res.inputs.get("version", "1.31"),
        "vpcConfig": {**res.inputs.get("vpcConfig", {}),
                      "clusterSecurityGroupId": "sg-" + digest("cluster-sg", res.urn),
                      "vpcId": "vpc-" + digest("cluster-vpc", res.urn)},
    }


def _launch_template(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    return {"latestVersion": 1, "defaultVersion": 1}


def _ecr_repository(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    return {"repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{res.region}.amazonaws.com/"
                             f"{res.physical_name}", "registryId": ACCOUNT_ID}


def _acm_certificate(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    domain = res.inputs.get("domainName", "example.com")
    token = digest(res.urn, length=32)
    return {"arn": f"arn:{res.partition}:acm:{res.region}:{ACCOUNT_ID}:certificate/{token}",
            "status": "PENDING_VALIDATION",
            "domainValidationOptions": [{
                # ACM validates `*.d` with a record under d (no `*` in the record name).
                "domainName": domain,
                "resourceRecordName": f"_{token[:16]}.{domain.removeprefix('*.')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{token[16:]}.acm-validations.aws."}]}


def _load_balancer(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    suffix = f"app/{res.physical_name}/{digest(res.urn, length=16)}"
    return {"arn": f"arn:{res.partition}:elasticloadbalancing:{res.region}:{ACCOUNT_ID}:"
                   f"loadbalancer/{suffix}",
            "arnSuffix": suffix, "dnsName": f"{res.physical_name}.{res.region}.elb.amazonaws.com",
            "zoneId": "Z35SXDOTRQ7X7K"}


def _target_group(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    suffix = f"targetgroup/{res.physical_name}/{digest(res.urn, length=16)}"
    return {"arn": f"arn:{res.partition}:elasticloadbalancing:{res.region}:{ACCOUNT_ID}:{suffix}",
            "arnSuffix": suffix}


def _distribution(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    return {"domainName": f"d{digest(res.urn, length=13)}.cloudfront.net",
            "hostedZoneId": "Z2FDTNDATAQYW2"}


def _kms_key(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    return {"keyId": rid}


def _sqs_queue(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    return {"url": f"https://sqs.{res.region}.amazonaws.com/{ACCOUNT_ID}/{res.physical_name}"}


def _db_cluster(domain: str) -> OutputFixture:
    """RDS / DocumentDB clusters: identifier, writer and reader endpoints, managed secret."""

    def fixture(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
        name = res.physical_name
        host = f"{digest(res.urn, length=12)}.{res.region}.{domain}"
        state: dict[str, Any] = {
            "clusterIdentifier": name, "endpoint": f"{name}.cluster-{host}",
            "readerEndpoint": f"{name}.cluster-ro-{host}",
            "clusterResourceId": f"cluster-{digest(res.urn, length=26).upper()}",
            "hostedZoneId": "Z2R2ITUGPM61AM"}
        if res.inputs.get("manageMasterUserPassword"):
            state["masterUserSecrets"] = [{
                "secretArn": f"arn:{res.partition}:secretsmanager:{res.region}:{ACCOUNT_ID}:"
                             f"secret:rds!cluster-{digest(res.urn, length=36)}-AbCdEf",
                "kmsKeyId": res.inputs.get("masterUserSecretKmsKeyId", ""),
                "secretStatus": "active"}]
        return state

    return fixture


def _db_instance(domain: str) -> OutputFixture:
    def fixture(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
        address = f"{res.physical_name}.{digest(res.urn, length=12)}.{res.region}.{domain}"
        return {"identifier": res.physical_name, "endpoint": address, "address": address}

    return fixture


def _global_cluster(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    return {"globalClusterResourceId": f"cluster-{digest(res.urn, length=26)}",
            "globalClusterMembers": []}


def _replication_group(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    name = res.physical_name
    parts = (res.region or "us-east-1").split("-")  # us-east-1 -> use1, as ElastiCache writes it
    host = f"{digest(res.urn, length=6)}.{parts[0]}{''.join(p[0] for p in parts[1:-1])}{parts[-1]}"
    count = int(res.inputs.get("numCacheClusters", 1))
    return {"primaryEndpointAddress": f"master.{name}.{host}.cache.amazonaws.com",
            "readerEndpointAddress": f"replica.{name}.{host}.cache.amazonaws.com",
            "memberClusters": [f"{name}-{i:03d}" for i in range(1, count + 1)],
            "replicationGroupId": name}


def _dynamodb_table(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    if not res.inputs.get("streamEnabled"):
        return {}
    label = "2024-01-01T00:00:00.000"
    return {"streamArn": f"{arn}/stream/{label}", "streamLabel": label}


def _random_password(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    # Deterministic offline; the program should hand it on only as a secret.
    length = int(res.inputs.get("length", 32))
    return {"result": digest("password", res.urn, length=64)[:length]}


def _amp_workspace(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    workspace = f"ws-{digest(res.urn, length=8)}-{digest('ws', res.urn, length=4)}"
    return {"prometheusEndpoint":
            f"https://aps-workspaces.{res.region}.amazonaws.com/workspaces/{workspace}/"}


def _grafana_workspace(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    return {"endpoint": f"g-{digest(res.urn, length=10)}.grafana-workspace.{res.region}"
                        ".amazonaws.com"}


def _http_api(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    return {"apiEndpoint": f"https://{rid}.execute-api.{res.region}.amazonaws.com"}


def _api_domain(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    """A regional custom domain: its alias target and that target's (fake) hosted zone."""
    config = dict(res.inputs.get("domainNameConfiguration") or {})
    return {"domainNameConfiguration": {
        **config, "targetDomainName": f"d-{digest(res.urn, length=10)}.execute-api."
                                      f"{res.region}.amazonaws.com",
        "hostedZoneId": f"Z{digest('apigw', res.region or '', length=12).upper()}"}}


def _route53_record(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    return {"fqdn": str(res.inputs.get("name", res.physical_name)).rstrip(".")}


OUTPUTS: dict[str, OutputFixture] = {
    "aws:route53/record:Record": _route53_record,
    "aws:apigatewayv2/api:Api": _http_api,
    "aws:apigatewayv2/domainName:DomainName": _api_domain,
    "aws:amp/workspace:Workspace": _amp_workspace,
    "aws:grafana/workspace:Workspace": _grafana_workspace,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:acm/certificate:Certificate": _acm_certificate,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:kms/key:Key": _kms_key,
    "aws:sqs/queue:Queue": _sqs_queue,
    "random:index/randomPassword:RandomPassword": _random_password,
    "aws:rds/cluster:Cluster": _db_cluster("rds.amazonaws.com"),
    "aws:rds/clusterInstance:ClusterInstance": _db_instance("rds.amazonaws.com"),
    "aws:rds/globalCluster:GlobalCluster": _global_cluster,
    "aws:docdb/cluster:Cluster": _db_cluster("docdb.amazonaws.com"),
    "aws:docdb/clusterInstance:ClusterInstance": _db_instance("docdb.amazonaws.com"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:dynamodb/table:Table": _dynamodb_table,
}


# ---- video (components/live_channel.py, components/vod_pipeline.py) ----------------------


def _mpv2_egress_domain(region: str, group: str) -> str:
    return (f"{digest('egress', region, group, length=6)}.egress."
            f"{digest('group', group, length=6)}.mediapackagev2.{region}.amazonaws.com")


def _mpv2_arn(res: NewResource, *path: str) -> str:
    return (f"arn:{res.partition}:mediapackagev2:{res.region}:{ACCOUNT_ID}:"
            + "/".join(path))


def _mpv2_channel_group(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    group = res.inputs.get("channelGroupName") or res.physical_name
    return {"channelGroupName": group, "arn": _mpv2_arn(res, "channelGroup", group),
            "egressDomain": _mpv2_egress_domain(res.region or "", group)}


def _mpv2_channel(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    group = res.inputs.get("channelGroupName", "")
    channel = res.inputs.get("channelName") or res.physical_name
    host = digest("ingest", res.urn, length=6)
    urls = [f"https://{host}-{leg}.ingest.{digest(group, length=6)}.mediapackagev2."
            f"{res.region}.amazonaws.com/in/v1/{group}/{leg}/{channel}/index" for leg in (1, 2)]
    return {"channelName": channel,
            "arn": _mpv2_arn(res, "channelGroup", group, "channel", channel),
            "ingestEndpointUrls": urls,
            "ingestEndpoints": [{"id": str(leg), "url": url} for leg, url in enumerate(urls, 1)]}


def _mpv2_origin_endpoint(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
    group = res.inputs.get("channelGroupName", "")
    channel = res.inputs.get("channelName", "")
    endpoint = res.inputs.get("originEndpointName") or res.physical_name
    base = (f"https://{_mpv2_egress_domain(res.region or '', group)}/out/v1/"
            f"{group}/{channel}/{endpoint}")
    return {
        "originEndpointName": endpoint,
        "arn": _mpv2_arn(res, "channelGroup", group, "channel", channel,
                         "originEndpoint", endpoint),
        "hlsManifestUrls": [f"{base}/{m['manifestName']}.m3u8"
                            for m in res.inputs.get("hlsManifests") or []],
        "dashManifestUrls": [f"{base}/{m['manifestName']}.mpd"
                             for m in res.inputs.get("dashManifests") or []],
    }


def _medialive(kind: str) -> OutputFixture:
    def fixture(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
        number = str(int(digest(kind, res.urn, length=8), 16) % 9_000_000 + 1_000_000)
        state: dict[str, Any] = {
            "arn": f"arn:{res.partition}:medialive:{res.region}:{ACCOUNT_ID}:{kind}:{number}"}
        if kind == "channel":
            state["channelId"] = number
        return state

    return fixture


def _mediaconvert(collection: str) -> OutputFixture:
    def fixture(res: NewResource, rid: str, arn: str) -> dict[str, Any]:
        return {"arn": f"arn:{res.partition}:mediaconvert:{res.region}:{ACCOUNT_ID}:"
                       f"{collection}/{res.physical_name}"}

    return fixture


OUTPUTS.update({
    "aws-native:mediapackagev2:ChannelGroup": _mpv2_channel_group,
    "aws-native:mediapackagev2:Channel": _mpv2_channel,
    "aws-native:mediapackagev2:OriginEndpoint": _mpv2_origin_endpoint,
    "aws:medialive/channel:Channel": _medialive("channel"),
    "aws:medialive/input:Input": _medialive("input"),
    "aws:medialive/inputSecurityGroup:InputSecurityGroup": _medialive("inputSecurityGroup"),
    "aws:mediaconvert/queue:Queue": _mediaconvert("queues"),
    "aws-native:mediaconvert:JobTemplate": _mediaconvert("jobTemplates"),
})


def resource_outputs(res: NewResource) -> tuple[str, dict[str, Any]]:
    """(id, state): the inputs as AWS echoes them plus the computed outputs AWS adds."""
    rid = _resource_id(res)
    state = dict(res.inputs)
    if res.package in ("aws", "aws-native"):
        arn = _arn(res, rid)
        state.setdefault("arn", arn)
        state.setdefault("name", res.physical_name)
        if res.region is not None:
            state.setdefault("region", res.region)
    else:
        arn = ""
    fixture = OUTPUTS.get(res.type)
    if fixture is not None:
        state.update(fixture(res, rid, arn))
    return rid, state
