"""platformctl cost: bills of materials priced against AWS's list prices, usage overrides,
unpriced types said as such, and bad usage files refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from platformctl.cli import app
from platformctl.cost import estimate, price_table, usage_from
from platformctl.cost.usage import DEFAULTS

HOURS = 730
REGION = "us-east-1"


def _r(name: str, type_: str, props: dict[str, Any], region: str = REGION,
       **extra: Any) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:s::p::{type_}::{name}", "type": type_, "name": name,
            "custom": True, "region": region, "dependencies": [], "props": props, **extra}


def _plan(*resources: dict[str, Any], stack: str = "s") -> dict[str, Any]:
    return {"stack": stack, "resources": list(resources)}


def coursebundler_bom(region: str = REGION) -> list[dict[str, Any]]:
    """Seed 001's bill of materials: 2 Fargate tasks behind an ALB, DocumentDB on two
    instances, S3 + CloudFront, one NAT gateway, CloudWatch, a Route 53 zone."""
    task = _r("task", "aws:ecs/taskDefinition:TaskDefinition", {"cpu": "512", "memory": "1024"},
              region)
    return [
        task,
        _r("svc", "aws:ecs/service:Service", {"desiredCount": 2}, region,
           dependencies=[task["urn"]]),
        _r("alb", "aws:lb/loadBalancer:LoadBalancer", {"loadBalancerType": "application"},
           region),
        _r("docdb", "aws:docdb/cluster:Cluster", {}, region),
        *(_r(f"docdb-{i}", "aws:docdb/clusterInstance:ClusterInstance",
             {"instanceClass": "db.t3.medium"}, region) for i in range(2)),
        _r("assets", "aws:s3/bucket:Bucket", {}, region),
        _r("cdn", "aws:cloudfront/distribution:Distribution", {}, "global"),
        _r("nat", "aws:ec2/natGateway:NatGateway", {}, region),
        _r("nat-ip", "aws:ec2/eip:Eip", {}, region),
        _r("zone", "aws:route53/zone:Zone", {}, "global"),
        *(_r(f"alarm-{i}", "aws:cloudwatch/metricAlarm:MetricAlarm", {}, region)
          for i in range(5)),
        _r("logs", "aws:cloudwatch/logGroup:LogGroup", {}, region),
    ]


# AWS's us-east-1 list prices for that bill, written out independently of the price table
# (Fargate $0.04048/vCPU-h + $0.004445/GB-h; ALB $0.0225/h + $0.008/LCU-h; DocumentDB
# db.t3.medium $0.078/h, $0.10/GB-month, $0.20/M I/O; S3 $0.023/GB, $0.005/1k PUT,
# $0.0004/1k GET; CloudFront $0.085/GB, $0.01/10k HTTPS; NAT $0.045/h + $0.045/GB; public
# IPv4 $0.005/h; Route 53 zone $0.50; alarm $0.10; logs $0.50/GB in, $0.03/GB-month).
COURSEBUNDLER_LIST = (2 * (0.5 * 0.04048 + 1 * 0.004445) * HOURS
                      + (0.0225 + 0.008) * HOURS
                      + 2 * 0.078 * HOURS + 100 * 0.10 + 50 * 0.20
                      + 100 * 0.023 + 100 * 0.005 + 1000 * 0.0004
                      + 1000 * 0.085 + 1000 * 0.01
                      + 0.045 * HOURS + 100 * 0.045 + 0.005 * HOURS
                      + 0.50 + 5 * 0.10 + 5 * 0.50 + 20 * 0.03)


def test_seed_001_bill_of_materials_is_within_10_percent_of_list_prices() -> None:
    result = estimate(_plan(*coursebundler_bom()), usage_from(None))
    assert result["unpriced"] == []
    assert result["monthly"] == pytest.approx(COURSEBUNDLER_LIST, rel=0.10)
    assert 326 <= result["monthly"] <= 606  # the seed's own range for this bill


def test_seed_000_bill_of_materials_is_within_10_percent_of_list_prices(
        tmp_path: Path) -> None:
    """12 t3.xlarge spot + 3 t3.2xlarge on-demand nodes, Aurora db.r6g.2xlarge with 1 TB,
    1 TB in R2, Cloudflare Enterprise at the seed's $200."""
    usage = tmp_path / "usage.yaml"
    usage.write_text(yaml.safe_dump({"aurora": {"storage_gb": 1000, "io_million": 60},
                                     "r2": {"storage_gb": 1000, "class_a_million": 4,
                                            "class_b_million": 0},
                                     "cloudflare": {"zone_plan_monthly": 200}}))
    bom = _plan(
        _r("spot", "aws:eks/nodeGroup:NodeGroup", {
            "instanceTypes": ["t3.xlarge"], "capacityType": "SPOT",
            "scalingConfig": {"desiredSize": 12}}),
        _r("critical", "aws:eks/nodeGroup:NodeGroup", {
            "instanceTypes": ["t3.2xlarge"], "capacityType": "ON_DEMAND",
            "scalingConfig": {"desiredSize": 3}}),
        _r("aurora", "aws:rds/cluster:Cluster", {}),
        _r("aurora-1", "aws:rds/clusterInstance:ClusterInstance",
           {"instanceClass": "db.r6g.2xlarge"}),
        _r("media", "cloudflare:index/r2Bucket:R2Bucket", {}, None),
    )
    spot_discount = price_table()["spot"]["discount"]
    listed = (12 * 0.1664 * (1 - spot_discount) * HOURS + 3 * 0.3328 * HOURS
              + 15 * 20 * 0.08 + 1.038 * HOURS + 1000 * 0.10 + 60 * 0.20
              + 1000 * 0.015 + 4 * 4.50 + 200)
    result = estimate(bom, usage_from(usage))
    assert result["monthly"] == pytest.approx(listed, rel=0.10)


def test_regional_factor_applies_to_aws_but_not_cloudflare() -> None:
    table = price_table()
    dearer = max((r for r in table["regions"] if r != "global"),
                 key=lambda r: table["regions"][r]["factor"])
    factor = table["regions"][dearer]["factor"]
    nat_home = estimate(_plan(_r("nat", "aws:ec2/natGateway:NatGateway", {})),
                        usage_from(None))["monthly"]
    nat_there = estimate(_plan(_r("nat", "aws:ec2/natGateway:NatGateway", {}, dearer)),
                         usage_from(None))["monthly"]
    assert nat_there == pytest.approx(nat_home * factor, abs=0.01)
    r2 = _r("media", "cloudflare:index/r2Bucket:R2Bucket", {}, dearer)
    assert estimate(_plan(r2), usage_from(None))["monthly"] == estimate(
        _plan(dict(r2, region=None)), usage_from(None))["monthly"]


def test_unpriced_types_and_regions_are_listed_never_counted_as_free() -> None:
    result = estimate(_plan(
        _r("x", "aws:nosuch/thing:Thing", {}),
        _r("db", "aws:rds/clusterInstance:ClusterInstance", {"instanceClass": "db.x99.huge"}),
        _r("nat", "aws:ec2/natGateway:NatGateway", {}, "xx-nowhere-1"),
        _r("role", "aws:iam/role:Role", {}),
        _r("component", "platform:thing:Thing", {}, custom=False),
    ), usage_from(None))
    assert result["monthly"] == 0 and result["lines"] == []
    assert result["unpriced"] == ["aws:ec2/natGateway:NatGateway (xx-nowhere-1: no prices)",
                                  "aws:nosuch/thing:Thing",
                                  "aws:rds/clusterInstance:ClusterInstance"]


def test_usage_file_changes_usage_priced_lines(tmp_path: Path) -> None:
    bucket = _plan(_r("b", "aws:s3/bucket:Bucket", {}))
    default = estimate(bucket, usage_from(None))["monthly"]
    usage = tmp_path / "usage.yaml"
    usage.write_text("s3:\n  storage_gb: 10000\n")
    bigger = estimate(bucket, usage_from(usage))
    assert bigger["monthly"] > default
    assert "10000 GB" in bigger["lines"][0]["basis"]


def test_every_usage_default_is_documented() -> None:
    for section, keys in DEFAULTS.items():
        for key, (default, meaning) in keys.items():
            assert meaning.strip(), f"{section}.{key}"
            assert default >= 0


def test_price_table_is_dated_versioned_and_sourced() -> None:
    table = price_table()
    assert table["date"] and table["version"] and table["source"]
    assert all(row["source"] for row in table["regions"].values())


@pytest.mark.parametrize("content, message", [
    ("s3:\n  storage: 1\n", "s3.storage is not a usage key"),
    ("nosuch:\n  x: 1\n", "unknown section 'nosuch'"),
    ("s3:\n  storage_gb: -5\n", "non-negative number"),
    ("s3: [1]\n", "unknown section 's3'"),
    ("- 1\n", "expected sections"),
])
def test_bad_usage_file_is_one_line_exit_2(tmp_path: Path, content: str, message: str) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text(content)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(*coursebundler_bom())))
    result = CliRunner().invoke(app, ["cost", "--plans", str(plan), "--usage", str(usage)])
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cost_json_has_the_documented_shape(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(*coursebundler_bom(), stack="shop")))
    result = CliRunner().invoke(app, ["cost", "--plans", str(plan), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {"stack", "currency", "monthly", "lines", "unpriced", "priceTable"} <= set(document)
    assert document["stack"] == "shop" and document["currency"] == "USD"
    assert {"urn", "type", "monthly", "basis"} <= set(document["lines"][0])
    assert {"date", "source"} <= set(document["priceTable"])
    assert document["monthly"] == pytest.approx(sum(x["monthly"] for x in document["lines"]),
                                                abs=0.05)


def test_cost_needs_exactly_one_source() -> None:
    result = CliRunner().invoke(app, ["cost"])
    assert result.exit_code == 2 and "one of them" in result.output


def test_a_program_is_priced_from_the_engines_own_plan() -> None:
    """A small program planned by the offline engine (so the property names are the SDK's),
    priced within 10% of AWS's us-east-1 list prices written out here."""
    import pulumi
    import pulumi_aws as aws

    from tests.plans import run_offline

    def program() -> None:
        opts = pulumi.ResourceOptions(provider=aws.Provider("aws-home", region=REGION))
        aws.ec2.Instance("web", ami="ami-12345678", instance_type="t3.micro",
                         root_block_device={"volume_size": 30, "volume_type": "gp3"},
                         opts=opts)
        aws.ebs.Volume("data", availability_zone=f"{REGION}a", size=100, type="gp3",
                       opts=opts)
        aws.rds.Instance("db", engine="postgres", instance_class="db.t3.micro",
                         allocated_storage=50, multi_az=True, username="app",
                         manage_master_user_password=True, opts=opts)
        aws.elasticache.Cluster("cache", engine="redis", node_type="cache.t3.micro",
                                num_cache_nodes=2, opts=opts)
        aws.kinesis.Stream("events", shard_count=2, opts=opts)

    plan = run_offline(program, stack="priced").plan
    result = estimate(plan, usage_from(None))
    listed = (0.0104 * HOURS + 30 * 0.08          # t3.micro + 30 GB gp3 root
              + 100 * 0.08                          # 100 GB gp3
              + 2 * (0.018 * HOURS + 50 * 0.115)    # db.t3.micro Multi-AZ + 50 GB
              + 2 * 0.017 * HOURS                   # 2 x cache.t3.micro
              + 2 * 0.015 * HOURS)                  # 2 shards
    assert result["unpriced"] == []
    assert result["monthly"] == pytest.approx(listed, rel=0.10)
