"""Typed cross-stack contracts (stacks/exports.py): one output per field, read back through
one StackReference, and a clear error when the referenced stack lacks a field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pytest

from platformctl.engine import run_callable
from platformctl.errors import ProgramError
from platformctl.plan import UNKNOWN, build_plan
from stacks.exports import StackExports, output_name


@dataclass(frozen=True)
class DatabaseExports(StackExports):
    global_cluster_id: pulumi.Input[str]
    region: pulumi.Input[str]


def _plan(program, stack: str = "reader",
          references: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    return build_plan(run_callable(program, project="contracts", stack=stack,
                                   stack_references=references))


@pytest.mark.parametrize(("field", "output"), [
    ("region", "region"), ("global_cluster_id", "globalClusterId"),
    ("aurora_cluster_arn", "auroraClusterArn"),
])
def test_output_name_is_the_camel_case_of_the_field(field: str, output: str) -> None:
    assert output_name(field) == output


def _publisher() -> None:
    DatabaseExports(global_cluster_id="ott-global", region="us-east-1").publish()


def _reader() -> None:
    database = DatabaseExports.read("primary")
    pulumi.export("readCluster", database.global_cluster_id)
    pulumi.export("readRegion", database.region)


def test_publish_then_read_round_trips_every_field() -> None:
    published = _plan(_publisher, stack="primary")["outputs"]
    assert published == {"globalClusterId": "ott-global", "region": "us-east-1"}
    read = _plan(_reader, references={"organization/contracts/primary": published})
    assert read["outputs"] == {"readCluster": "ott-global", "readRegion": "us-east-1"}
    [reference] = read["stackReferences"]
    assert reference["name"] == "DatabaseExports-primary"
    assert reference["stack"] == "organization/contracts/primary"


def test_an_unanswered_reference_reads_unknown() -> None:
    assert set(_plan(_reader)["outputs"].values()) == {UNKNOWN}


def test_a_field_the_referenced_stack_does_not_export_fails_the_reader_naming_it() -> None:
    with pytest.raises(ProgramError, match=r"stack primary exports no output 'region' "
                                           r"\(DatabaseExports\.region\); deploy primary"):
        _plan(_reader, references={"organization/contracts/primary":
                                   {"globalClusterId": "ott-global"}})
