"""Refreshing prices.yaml from the Price List API, against a botocore Stubber."""

from __future__ import annotations

import datetime
import json

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from platformctl.cost.refresh import QUERIES, RefreshError, refreshed

TABLE = """\
version: 3
date: "2025-01-01"
ec2_hourly:  # on-demand
  m7i.large: 0.1
aurora_hourly:
  db.r6g.large: 0.26  # kept comment
unit:
  nat_gateway_hour: 0.045
regions:
  us-east-1: {factor: 1.00, source: "reference region"}
  eu-central-1: {factor: 1.10, source: "old"}
  global: {factor: 1.00, source: "global services"}
"""
TODAY = datetime.date(2026, 12, 1)


def _product(*usd: str) -> dict[str, object]:
    terms = {f"T{i}": {"priceDimensions": {f"D{i}": {"unit": "Hrs",
                                                     "pricePerUnit": {"USD": price}}}}
             for i, price in enumerate(usd)}
    return {"PriceList": [json.dumps({"terms": {"OnDemand": terms}})], "FormatVersion": "aws_v1"}


def _expect(stub: Stubber, table: str, instance: str, region: str, *usd: str) -> None:
    query = QUERIES[table]
    filters = {**query.filters, "instanceType": instance, "regionCode": region}
    stub.add_response("get_products", _product(*usd), {
        "ServiceCode": query.service, "FormatVersion": "aws_v1", "MaxResults": 10,
        "Filters": [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()]})


@pytest.fixture
def client():
    return boto3.client("pricing", region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def test_refresh_updates_prices_and_factors_and_keeps_comments(client) -> None:
    with Stubber(client) as stub:
        _expect(stub, "ec2_hourly", "m7i.large", "us-east-1", "0.1008")
        _expect(stub, "aurora_hourly", "db.r6g.large", "us-east-1", "0.26")
        _expect(stub, "ec2_hourly", "m7i.large", "us-east-1", "0.1008")
        _expect(stub, "ec2_hourly", "m7i.large", "eu-central-1", "0.1159")
        text, changes = refreshed(TABLE, client, TODAY)
        stub.assert_no_pending_responses()
    assert changes == ["ec2_hourly.m7i.large: 0.1 -> 0.1008",
                       "regions.eu-central-1.factor: 1.1 -> 1.15"]
    table = yaml.safe_load(text)
    assert table["ec2_hourly"]["m7i.large"] == 0.1008
    assert table["regions"]["eu-central-1"]["factor"] == 1.15
    assert "Price List API, 2026-12-01" in table["regions"]["eu-central-1"]["source"]
    assert (table["version"], table["date"]) == (4, "2026-12-01")
    assert "# kept comment" in text and table["unit"]["nat_gateway_hour"] == 0.045


def test_unchanged_prices_keep_version_and_date(client) -> None:
    current = TABLE.replace("m7i.large: 0.1", "m7i.large: 0.1008").replace(
        "factor: 1.10", "factor: 1.15")
    with Stubber(client) as stub:
        _expect(stub, "ec2_hourly", "m7i.large", "us-east-1", "0.1008")
        _expect(stub, "aurora_hourly", "db.r6g.large", "us-east-1", "0.26")
        _expect(stub, "ec2_hourly", "m7i.large", "us-east-1", "0.1008")
        _expect(stub, "ec2_hourly", "m7i.large", "eu-central-1", "0.1159")
        text, changes = refreshed(current, client, TODAY)
    assert changes == []
    assert yaml.safe_load(text)["version"] == 3


def test_an_ambiguous_price_is_refused(client) -> None:
    with Stubber(client) as stub:
        _expect(stub, "ec2_hourly", "m7i.large", "us-east-1", "0.1008", "0.2")
        with pytest.raises(RefreshError, match="gave 2 on-demand hourly prices"):
            refreshed(TABLE, client, TODAY)
