"""Refresh the instance prices and regional factors of prices.yaml from AWS's Price List API
(boto3 `pricing:GetProducts`, read-only), keeping the file's comments and layout.

    python -m platformctl.cost.refresh [--write] [--endpoint-url URL]

Without `--write` it prints what would change. Each instance table (EC2, Aurora, DocumentDB,
ElastiCache) is re-read for us-east-1; each region's factor is its price of the reference
instance over us-east-1's. Unit prices (per GB, per request) are kept as they are: the
table's comments say where they come from.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.cost import PRICE_TABLE

REFERENCE_REGION = "us-east-1"
PRICING_REGION = "us-east-1"  # the Price List API's endpoint region
FACTOR_INSTANCE = ("ec2_hourly", "m7i.large")
REGION_ROW = re.compile(r"^  ([a-z]{2}-[a-z]+-\d): \{factor: ([0-9.]+), source: .*\}$")
INSTANCE_ROW = re.compile(r"^(  )([\w.]+): ([0-9.]+)(.*)$", re.S)


@dataclass(frozen=True)
class Query:
    service: str
    filters: dict[str, str]  # besides instanceType and regionCode


# What identifies an on-demand, Linux, shared-tenancy hourly price of each table.
QUERIES = {
    "ec2_hourly": Query("AmazonEC2", {"operatingSystem": "Linux", "tenancy": "Shared",
                                      "preInstalledSw": "NA", "capacitystatus": "Used",
                                      "licenseModel": "No License required"}),
    "aurora_hourly": Query("AmazonRDS", {"databaseEngine": "Aurora PostgreSQL",
                                         "deploymentOption": "Single-AZ"}),
    "docdb_hourly": Query("AmazonDocDB", {}),
    "elasticache_hourly": Query("AmazonElastiCache", {"cacheEngine": "Redis"}),
}


class RefreshError(Exception):
    """The Price List API did not give one on-demand hourly price: one line."""


def hourly_price(client: Any, table: str, instance: str, region: str) -> float:
    query = QUERIES[table]
    filters = {**query.filters, "instanceType": instance, "regionCode": region}
    response = client.get_products(
        ServiceCode=query.service, FormatVersion="aws_v1", MaxResults=10,
        Filters=[{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()])
    prices = set()
    for item in response.get("PriceList", []):
        product = json.loads(item) if isinstance(item, str) else item
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                usd = float(dimension.get("pricePerUnit", {}).get("USD", "0"))
                if dimension.get("unit", "").lower().startswith("hr") and usd > 0:
                    prices.add(usd)
    if len(prices) != 1:
        raise RefreshError(f"{query.service} {instance} in {region}: the Price List API gave "
                           f"{len(prices)} on-demand hourly prices ({sorted(prices)}); "
                           "expected one (check the filters in platformctl/cost/refresh.py)")
    return prices.pop()


def refreshed(text: str, client: Any, today: datetime.date) -> tuple[str, list[str]]:
    """The new prices.yaml text and one line per changed figure."""
    table = yaml.safe_load(text)
    changes: list[str] = []
    lines = text.splitlines(keepends=True)
    section = None
    for index, line in enumerate(lines):
        header = re.match(r"^(\w+):", line)
        if header:
            section = header.group(1)
            continue
        entry = INSTANCE_ROW.match(line)
        if section in QUERIES and entry:
            instance, old = entry.group(2), float(entry.group(3))
            new = hourly_price(client, section, instance, REFERENCE_REGION)
            if new != old:
                changes.append(f"{section}.{instance}: {old:g} -> {new:g}")
                lines[index] = f"{entry.group(1)}{instance}: {new:g}{entry.group(4)}"
    reference = hourly_price(client, *FACTOR_INSTANCE, REFERENCE_REGION)
    for index, line in enumerate(lines):
        row = REGION_ROW.match(line.rstrip())
        if not row or row.group(1) == REFERENCE_REGION:
            continue
        region, old = row.group(1), float(row.group(2))
        price = hourly_price(client, *FACTOR_INSTANCE, region)
        new = round(price / reference, 2)
        if new != old:
            changes.append(f"regions.{region}.factor: {old:g} -> {new:g}")
        lines[index] = (f'  {region}: {{factor: {new:.2f}, source: "{FACTOR_INSTANCE[1]} '
                        f'${price:g}/h vs ${reference:g}/h in {REFERENCE_REGION} (Price List '
                        f'API, {today.isoformat()})"}}\n')
    out = "".join(lines)
    if changes:
        out = re.sub(r"^version: \d+$", f"version: {table['version'] + 1}", out, flags=re.M)
        out = re.sub(r'^date: ".*"$', f'date: "{today.isoformat()}"', out, flags=re.M)
    return out, changes


def main(argv: list[str] | None = None) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    parser = argparse.ArgumentParser(prog="python -m platformctl.cost.refresh",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite prices.yaml")
    parser.add_argument("--endpoint-url", help="send the API calls here (e.g. a test server)")
    parser.add_argument("--table", type=Path, default=PRICE_TABLE)
    args = parser.parse_args(argv)
    client = boto3.client("pricing", region_name=PRICING_REGION, endpoint_url=args.endpoint_url)
    try:
        text, changes = refreshed(args.table.read_text(), client, datetime.date.today())
    except (RefreshError, BotoCoreError, ClientError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for change in changes:
        print(change)
    if not changes:
        print("prices.yaml is current")
    elif args.write:
        args.table.write_text(text)
        print(f"wrote {args.table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
