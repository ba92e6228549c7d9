"""The pure parts of copy-path resolution: names inside ARNs, regions of AWS host names,
values at prop paths."""

from __future__ import annotations

import pytest

from policies.copy_resolution import host_region, short_name, values_at
from policies.graph import UNKNOWN


@pytest.mark.parametrize(("value", "name"), [
    ("arn:aws:s3:::recordings-replica", "recordings-replica"),
    ("arn:aws:s3:::logs/flows/", "logs"),
    ("arn:aws:s3:us-west-2:123456789012:accesspoint/media", "media"),
    ("arn:aws:logs:me-south-1:123456789012:log-group:/app/access:*", "/app/access"),
    ("arn:aws:sqs:us-east-1:123456789012:jobs", "jobs"),
    ("arn:aws:kinesis:us-east-1:123456789012:stream/clicks", "clicks"),
    ("arn:aws:rds:us-east-1:123456789012:cluster:users", "users"),
    ("cdn-logs-1a2b3c4.s3.amazonaws.com", "cdn-logs-1a2b3c4"),
    ("cdn-logs.s3.eu-west-1.amazonaws.com", "cdn-logs"),
    ("plain-name", "plain-name"),
])
def test_short_name(value: str, name: str) -> None:
    assert short_name(value) == name


@pytest.mark.parametrize(("value", "region"), [
    ("https://search-logs-abc.eu-west-1.es.amazonaws.com", "eu-west-1"),
    ("jdbc:redshift://wh.abc123.us-east-1.redshift.amazonaws.com:5439/dev", "us-east-1"),
    ("db.abc123.me-south-1.rds.amazonaws.com", "me-south-1"),
    ("https://abc.us-gov-west-1.aoss.amazonaws.com", "us-gov-west-1"),
    ("https://fn.lambda-url.ap-southeast-2.on.aws/", "ap-southeast-2"),
    ("cdn-logs.s3.eu-west-1.amazonaws.com", "eu-west-1"),
    ("cdn-logs.s3.amazonaws.com", None),                      # global endpoint: no region
    ("https://acct.us-east-2.aws.snowflakecomputing.com", None),  # not an AWS host
    ("https://intake.example.com/me-south-1", None),
    ("sales@example.com", None),
])
def test_host_region(value: str, region: str | None) -> None:
    assert host_region(value) == region


def test_values_at_walks_lists_and_keeps_unknowns() -> None:
    props = {"rules": [{"destination": {"bucket": "a"}}, {"destination": {"bucket": "b"}},
                       {"destination": UNKNOWN}, {"status": "Enabled"}],
             "one": {"regions": "me-south-1"}, "blank": ""}
    assert values_at(props, "rules[].destination.bucket") == ["a", "b", UNKNOWN]
    assert values_at(props, "one.regions[]") == ["me-south-1"]
    assert values_at(props, "one[].regions") == ["me-south-1"]  # an object is a list of one
    assert values_at(props, "missing[].x") == [] and values_at(props, "blank") == []
