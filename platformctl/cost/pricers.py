"""One pricing function per billable resource type: (monthly USD, basis) from the resource's
planned inputs, the price table and the usage assumptions. A function returns None when
the plan does not say enough (an instance type the table lacks, an unknown value): the
type is then reported as unpriced rather than guessed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from platformctl.plan import UNKNOWN

Line = tuple[float, str]
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"


@dataclass(frozen=True)
class Context:
    prices: dict[str, Any]
    usage: dict[str, dict[str, Any]]
    factor: float  # the resource's region factor
    resources: dict[str, dict[str, Any]]  # urn -> resource, of the same plan

    @property
    def hours(self) -> float:
        return self.prices["hours_per_month"]

    def unit(self, key: str) -> float:
        return self.prices["unit"][key] * self.factor

    def hourly(self, table: str, instance: Any) -> float | None:
        price = self.prices[table].get(instance) if isinstance(instance, str) else None
        return None if price is None else price * self.factor


def _known(*values: Any) -> bool:
    return all(v is not None and v != UNKNOWN for v in values)


def _instances(table: str, what: str) -> Callable[[dict[str, Any], Context], Line | None]:
    def price(resource: dict[str, Any], ctx: Context) -> Line | None:
        instance = resource["props"].get("instanceClass")
        if instance == "db.serverless" and table == "aurora_hourly":
            acu = ctx.usage["aurora"]["serverless_acu"]
            return (acu * ctx.unit("aurora_serverless_acu_hour") * ctx.hours,
                    f"Aurora Serverless v2: {acu:g} ACU average x {ctx.hours:g} h "
                    "(usage aurora.serverless_acu)")
        hourly = ctx.hourly(table, instance)
        if hourly is None:
            return None
        return hourly * ctx.hours, f"1 x {instance} {what} x {ctx.hours:g} h"
    return price


def _cluster_storage(section: str, what: str) -> Callable[[dict[str, Any], Context], Line]:
    def price(resource: dict[str, Any], ctx: Context) -> Line:
        use = ctx.usage[section]
        monthly = (use["storage_gb"] * ctx.unit(f"{section}_storage_gb_month")
                   + use["io_million"] * ctx.unit(f"{section}_io_per_million"))
        return monthly, (f"{what} storage {use['storage_gb']:g} GB + {use['io_million']:g}M "
                         f"I/O (usage {section}.*)")
    return price


def _elasticache(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    node = props.get("nodeType")
    nodes = props.get("numCacheClusters") or (
        (props.get("numNodeGroups") or 1) * (1 + (props.get("replicasPerNodeGroup") or 0)))
    hourly = ctx.hourly("elasticache_hourly", node)
    if hourly is None or not _known(nodes):
        return None
    return nodes * hourly * ctx.hours, f"{nodes} x {node} node x {ctx.hours:g} h"


def _spot_discount(ctx: Context) -> float:
    return ctx.prices["spot"]["discount"]


def _node_group(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    types = props.get("instanceTypes") or ["t3.medium"]  # EKS's default instance type
    count = (props.get("scalingConfig") or {}).get("desiredSize")
    hourly = ctx.hourly("ec2_hourly", types[0])
    if hourly is None or not _known(count):
        return None
    spot = props.get("capacityType") == "SPOT"
    rate = hourly * (1 - _spot_discount(ctx)) if spot else hourly
    volume = ctx.usage["eks"]["node_volume_gb"]
    monthly = count * (rate * ctx.hours + volume * ctx.unit("ebs_gp3_gb_month"))
    kind = f"spot (-{_spot_discount(ctx):.0%})" if spot else "on-demand"
    return monthly, (f"{count} x {types[0]} {kind} x {ctx.hours:g} h + {volume:g} GB gp3 "
                     "root volume each")


def _karpenter(resource: dict[str, Any], ctx: Context) -> Line:
    use = ctx.usage["karpenter"]
    hourly = ctx.hourly("ec2_hourly", use["instance_type"]) or 0.0
    blended = hourly * (1 - use["spot_share"] * _spot_discount(ctx))
    monthly = use["nodes"] * (blended * ctx.hours
                              + ctx.usage["eks"]["node_volume_gb"] * ctx.unit("ebs_gp3_gb_month"))
    return monthly, (f"{use['nodes']:g} x {use['instance_type']} ({use['spot_share']:.0%} spot) "
                     f"x {ctx.hours:g} h (usage karpenter.*: Karpenter provisions at run time)")


def _fargate_service(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    task = next((ctx.resources[d] for d in resource.get("dependencies", ())
                 if ctx.resources.get(d, {}).get("type") == TASK_DEFINITION), None)
    count = props.get("desiredCount")
    if task is None or not _known(count, task["props"].get("cpu"), task["props"].get("memory")):
        return None
    vcpu = float(task["props"]["cpu"]) / 1024
    memory_gb = float(task["props"]["memory"]) / 1024
    per_task = (vcpu * ctx.unit("fargate_vcpu_hour")
                + memory_gb * ctx.unit("fargate_gb_hour")) * ctx.hours
    on_demand, spot = _fargate_split(props.get("capacityProviderStrategies") or [], count)
    monthly = per_task * (on_demand + spot * (1 - ctx.prices["unit"]["fargate_spot_discount"]))
    return monthly, (f"{count} tasks x {vcpu:g} vCPU / {memory_gb:g} GB x {ctx.hours:g} h "
                     f"({on_demand:g} on FARGATE, {spot:g} on FARGATE_SPOT)")


def _fargate_split(strategies: list[dict[str, Any]], count: int) -> tuple[float, float]:
    """Tasks on FARGATE and FARGATE_SPOT: each provider's `base` first, the rest by weight."""
    if not strategies:
        return float(count), 0.0
    placed = {s["capacityProvider"]: float(s.get("base") or 0) for s in strategies}
    rest = max(0.0, count - sum(placed.values()))
    weights = sum(s.get("weight") or 0 for s in strategies) or 1
    for s in strategies:
        placed[s["capacityProvider"]] += rest * (s.get("weight") or 0) / weights
    return placed.get("FARGATE", 0.0), placed.get("FARGATE_SPOT", 0.0)


def _per_month(key: str, what: str) -> Callable[[dict[str, Any], Context], Line]:
    return lambda resource, ctx: (ctx.unit(key), f"1 {what}")


def _per_hour(key: str, what: str) -> Callable[[dict[str, Any], Context], Line]:
    return lambda resource, ctx: (ctx.unit(key) * ctx.hours, f"1 {what} x {ctx.hours:g} h")


def _nat(resource: dict[str, Any], ctx: Context) -> Line:
    gb = ctx.usage["nat"]["data_gb"]
    return (ctx.unit("nat_gateway_hour") * ctx.hours + gb * ctx.unit("nat_gateway_gb"),
            f"1 NAT gateway x {ctx.hours:g} h + {gb:g} GB processed (usage nat.data_gb)")


def _endpoint(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    if props.get("vpcEndpointType", "Gateway") == "Gateway":
        return 0.0, "gateway endpoint: no charge"
    azs = len(props.get("subnetIds") or [])
    if not azs:
        return None
    return (azs * ctx.unit("interface_endpoint_az_hour") * ctx.hours,
            f"interface endpoint in {azs} AZs x {ctx.hours:g} h")


def _load_balancer(resource: dict[str, Any], ctx: Context) -> Line:
    if resource["props"].get("loadBalancerType", "application") == "network":
        return ctx.unit("nlb_hour") * ctx.hours, f"1 NLB x {ctx.hours:g} h (+ NLCU usage)"
    lcu = ctx.usage["alb"]["lcu"]
    return ((ctx.unit("alb_hour") + lcu * ctx.unit("alb_lcu_hour")) * ctx.hours,
            f"1 ALB x {ctx.hours:g} h + {lcu:g} LCU (usage alb.lcu)")


def _bucket(resource: dict[str, Any], ctx: Context) -> Line:
    use = ctx.usage["s3"]
    monthly = (use["storage_gb"] * ctx.unit("s3_standard_gb_month")
               + use["put_requests"] / 1000 * ctx.unit("s3_put_per_1k")
               + use["get_requests"] / 1000 * ctx.unit("s3_get_per_1k"))
    return monthly, (f"{use['storage_gb']:g} GB Standard + {use['put_requests']:,.0f} PUT + "
                     f"{use['get_requests']:,.0f} GET (usage s3.*)")


def _log_group(resource: dict[str, Any], ctx: Context) -> Line:
    use = ctx.usage["logs"]
    return (use["ingest_gb"] * ctx.unit("logs_ingest_gb")
            + use["stored_gb"] * ctx.unit("logs_storage_gb_month"),
            f"{use['ingest_gb']:g} GB ingested + {use['stored_gb']:g} GB stored (usage logs.*)")


def _dynamodb(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    use = ctx.usage["dynamodb"]
    copies = 1 + len(props.get("replicas") or [])
    storage = use["storage_gb"] * ctx.unit("dynamodb_storage_gb_month")
    if props.get("billingMode", "PROVISIONED") == "PAY_PER_REQUEST":
        # replicated writes are billed in each replica region at the write price
        monthly = copies * (use["write_million"] * ctx.unit("dynamodb_write_per_million")
                            + storage) + use["read_million"] * ctx.unit(
                                "dynamodb_read_per_million")
        return monthly, (f"on demand: {use['write_million']:g}M writes x {copies} copies + "
                         f"{use['read_million']:g}M reads + {use['storage_gb']:g} GB each "
                         "(usage dynamodb.*)")
    rcu, wcu = props.get("readCapacity"), props.get("writeCapacity")
    if not _known(rcu, wcu):
        return None
    monthly = copies * (wcu * ctx.unit("dynamodb_wcu_hour") * ctx.hours + storage) + (
        rcu * ctx.unit("dynamodb_rcu_hour") * ctx.hours)
    return monthly, f"provisioned {rcu} RCU / {wcu} WCU x {copies} copies x {ctx.hours:g} h"


def _lambda(resource: dict[str, Any], ctx: Context) -> Line:
    props = resource["props"]
    use = ctx.usage["lambda"]
    memory_gb = (props.get("memorySize") or 128) / 1024
    arm = "arm64" in (props.get("architectures") or [])
    seconds = use["requests_million"] * 1e6 * use["duration_ms"] / 1000
    monthly = (use["requests_million"] * ctx.unit("lambda_request_per_million")
               + seconds * memory_gb * ctx.unit(
                   "lambda_gb_second_arm" if arm else "lambda_gb_second_x86"))
    return monthly, (f"{use['requests_million']:g}M invocations x {use['duration_ms']:g} ms x "
                     f"{memory_gb * 1024:g} MB (usage lambda.*)")


def _distribution(resource: dict[str, Any], ctx: Context) -> Line:
    use = ctx.usage["cloudfront"]
    return (use["data_gb"] * ctx.unit("cloudfront_gb")
            + use["https_requests"] / 10_000 * ctx.unit("cloudfront_https_per_10k"),
            f"{use['data_gb']:g} GB to North America/Europe + {use['https_requests']:,.0f} HTTPS "
            "requests (usage cloudfront.*)")


def _web_acl(resource: dict[str, Any], ctx: Context) -> Line:
    rules = resource["props"].get("rules") or []
    count = len(json.loads(rules) if isinstance(rules, str) else rules)
    requests = ctx.usage["waf"]["requests"]
    return (ctx.unit("waf_acl_month") + count * ctx.unit("waf_rule_month")
            + requests / 1e6 * ctx.unit("waf_request_per_million"),
            f"1 web ACL + {count} rules + {requests:,.0f} requests (usage waf.requests)")


def _per_use(section: str, key: str, what: str) -> Callable[[dict[str, Any], Context], Line]:
    def price(resource: dict[str, Any], ctx: Context) -> Line:
        amount = ctx.usage[section]["requests_million"]
        return amount * ctx.unit(key), f"{amount:g}M {what} (usage {section}.requests_million)"
    return price


def _ecr(resource: dict[str, Any], ctx: Context) -> Line:
    gb = ctx.usage["ecr"]["storage_gb"]
    return gb * ctx.unit("ecr_storage_gb_month"), f"{gb:g} GB of images (usage ecr.storage_gb)"


def _r2(resource: dict[str, Any], ctx: Context) -> Line:
    use, cf = ctx.usage["r2"], ctx.prices["cloudflare"]
    return (use["storage_gb"] * cf["r2_storage_gb_month"]
            + use["class_a_million"] * cf["r2_class_a_per_million"]
            + use["class_b_million"] * cf["r2_class_b_per_million"],
            f"{use['storage_gb']:g} GB + {use['class_a_million']:g}M Class A + "
            f"{use['class_b_million']:g}M Class B, no egress fee (usage r2.*)")


def _ebs(ctx: Context, volume_type: str, size: float, iops: Any = None,
         throughput: Any = None) -> Line | None:
    """A volume's monthly price; gp3 above its free 3,000 IOPS / 125 MB/s, io1/io2 per IOPS."""
    key = f"ebs_{volume_type}_gb_month"
    if key not in ctx.prices["unit"]:
        return None
    monthly = size * ctx.unit(key)
    extra = ""
    if volume_type == "gp3":
        monthly += max(0, (iops or 3000) - 3000) * ctx.unit("ebs_gp3_iops_month")
        monthly += max(0, (throughput or 125) - 125) * ctx.unit("ebs_gp3_mbps_month")
    elif volume_type in ("io1", "io2"):
        monthly += (iops or 0) * ctx.unit(f"ebs_{volume_type}_iops_month")
        extra = f", {iops or 0} IOPS"
    return monthly, f"{size:g} GB {volume_type}{extra}"


def _volume(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    size = props.get("size")
    if not _known(size):
        return None
    return _ebs(ctx, props.get("type") or "gp3", size, props.get("iops"), props.get("throughput"))


def _ec2_instance(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    instance = props.get("instanceType")
    hourly = ctx.hourly("ec2_hourly", instance)
    root = props.get("rootBlockDevice") or {}
    size = root.get("volumeSize") or ctx.usage["ec2"]["root_volume_gb"]
    volume = _ebs(ctx, root.get("volumeType") or "gp3", size, root.get("iops"),
                  root.get("throughput"))
    if hourly is None or volume is None:
        return None
    spot = bool(props.get("instanceMarketOptions", {}).get("marketType") == "spot")
    rate = hourly * (1 - _spot_discount(ctx)) if spot else hourly
    kind = f"spot (-{_spot_discount(ctx):.0%})" if spot else "on-demand"
    return (rate * ctx.hours + volume[0],
            f"1 x {instance} {kind} x {ctx.hours:g} h + root {volume[1]}")


def _rds_instance(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    engine = str(props.get("engine") or "")
    table = ("rds_postgres_hourly" if engine.startswith("postgres")
             else "rds_mysql_hourly" if engine in ("mysql", "mariadb") else None)
    instance = props.get("instanceClass")
    hourly = ctx.hourly(table, instance) if table else None
    storage = props.get("allocatedStorage") or 20
    if hourly is None or not _known(storage):
        return None
    copies = 2 if props.get("multiAz") else 1
    monthly = copies * (hourly * ctx.hours + storage * ctx.unit("rds_storage_gb_month"))
    layout = "Multi-AZ (x2)" if copies == 2 else "Single-AZ"
    return monthly, (f"1 x {instance} {engine} {layout} x {ctx.hours:g} h + {storage:g} GB "
                     "storage")


def _cache_cluster(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    node, count = props.get("nodeType"), props.get("numCacheNodes") or 1
    hourly = ctx.hourly("elasticache_hourly", node)
    if hourly is None or not _known(count):
        return None
    return count * hourly * ctx.hours, f"{count} x {node} node x {ctx.hours:g} h"


def _kinesis(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    mode = (props.get("streamModeDetails") or {}).get("streamMode", "PROVISIONED")
    if mode == "ON_DEMAND":
        return (ctx.unit("kinesis_on_demand_stream_hour") * ctx.hours,
                f"on-demand stream x {ctx.hours:g} h (+ per-GB ingest and retrieval)")
    shards = props.get("shardCount")
    if not _known(shards):
        return None
    return (shards * ctx.unit("kinesis_shard_hour") * ctx.hours,
            f"{shards} shards x {ctx.hours:g} h (+ PUT payload units)")


def _efs(resource: dict[str, Any], ctx: Context) -> Line:
    gb = ctx.usage["efs"]["storage_gb"]
    return gb * ctx.unit("efs_standard_gb_month"), f"{gb:g} GB Standard (usage efs.storage_gb)"


def _opensearch(resource: dict[str, Any], ctx: Context) -> Line | None:
    props = resource["props"]
    cluster = props.get("clusterConfig") or {}
    instance, count = cluster.get("instanceType"), cluster.get("instanceCount") or 1
    hourly = ctx.hourly("opensearch_hourly", instance)
    ebs = props.get("ebsOptions") or {}
    size = ebs.get("volumeSize") or 10
    if hourly is None or not _known(count, size):
        return None
    return (count * (hourly * ctx.hours + size * ctx.unit("opensearch_gp3_gb_month")),
            f"{count} x {instance} x {ctx.hours:g} h + {size:g} GB each")


PRICERS: dict[str, Callable[[dict[str, Any], Context], Line | None]] = {
    "aws:eks/cluster:Cluster": _per_hour("eks_cluster_hour", "EKS control plane"),
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "kubernetes:karpenter.sh/v1:NodePool": _karpenter,
    "aws:rds/clusterInstance:ClusterInstance": _instances("aurora_hourly", "Aurora instance"),
    "aws:rds/cluster:Cluster": _cluster_storage("aurora", "Aurora"),
    "aws:docdb/clusterInstance:ClusterInstance": _instances("docdb_hourly", "DocumentDB instance"),
    "aws:docdb/cluster:Cluster": _cluster_storage("docdb", "DocumentDB"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _elasticache,
    "aws:ecs/service:Service": _fargate_service,
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/eip:Eip": _per_hour("public_ipv4_hour", "public IPv4 address"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _endpoint,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _per_month("alarm_month", "standard alarm"),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": _per_month("composite_alarm_month",
                                                               "composite alarm"),
    "aws:cloudwatch/dashboard:Dashboard": _per_month("dashboard_month", "dashboard"),
    "aws:kms/key:Key": _per_month("kms_key_month", "customer managed key"),
    "aws:secretsmanager/secret:Secret": _per_month("secret_month", "secret"),
    "aws:dynamodb/table:Table": _dynamodb,
    "aws:lambda/function:Function": _lambda,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:route53/zone:Zone": _per_month("route53_zone_month", "hosted zone"),
    "aws:route53/healthCheck:HealthCheck": _per_month("route53_health_check_month",
                                                      "health check"),
    "aws:ecr/repository:Repository": _ecr,
    "aws:sqs/queue:Queue": _per_use("sqs", "sqs_request_per_million", "requests"),
    "aws:sns/topic:Topic": _per_use("sns", "sns_request_per_million", "publishes"),
    "cloudflare:index/r2Bucket:R2Bucket": _r2,
    "aws:ec2/instance:Instance": _ec2_instance,
    "aws:ebs/volume:Volume": _volume,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:elasticache/cluster:Cluster": _cache_cluster,
    "aws:kinesis/stream:Stream": _kinesis,
    "aws:efs/fileSystem:FileSystem": _efs,
    "aws:opensearch/domain:Domain": _opensearch,
}
