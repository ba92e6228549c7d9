"""The environment model: the shipped data loads, and every kind of bad input is one clear line."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from environments import EnvironmentData, SpecError, load_stack_spec
from environments.loader import DATA_DIR

SHIPPED_STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")]
                        for p in (DATA_DIR / "stacks").glob("Pulumi.*.yaml"))


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of environments/ a test may break."""
    root = tmp_path / "environments"
    shutil.copytree(DATA_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def edit(root: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_a_stack_name_gives_blueprint_environment_and_region() -> None:
    spec = load_stack_spec("cost-optimized-prod-us-east-1", "cost-optimized")
    assert (spec.blueprint, spec.environment, spec.region) == ("cost-optimized", "prod",
                                                               "us-east-1")
    assert spec.jurisdiction_name == "us"
    assert spec.availability_zones == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert spec.vpc_cidr == "10.32.0.0/16"
    assert spec.profile.protect_stateful is True and spec.multi_az
    assert "us-west-2" in spec.allowed_regions


def test_me_south_1_is_in_the_saudi_jurisdiction() -> None:
    spec = load_stack_spec("knowledgecity-prod-me-south-1", "knowledgecity")
    assert spec.jurisdiction_name == "sa"
    assert set(spec.allowed_regions) == {"me-south-1", "me-central-1"}


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_shipped_stack_file_names_its_blueprint_and_region(stack: str) -> None:
    config = yaml.safe_load((DATA_DIR / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    spec = load_stack_spec(stack, config.get("platform:blueprint"))
    assert config["aws:region"] == spec.region
    assert stack.startswith(f"{spec.blueprint}-")


def test_profiles_hold_posture_only() -> None:
    """What a system is made of belongs to its blueprint; a profile is posture."""
    for path in (DATA_DIR / "profiles").glob("*.yaml"):
        keys = set(yaml.safe_load(path.read_text()))
        assert keys <= {"availability", "protect_stateful", "log_retention_days",
                        "backup_retention_days"}, path.name
    dev = yaml.safe_load((DATA_DIR / "profiles" / "dev.yaml").read_text())
    assert dev["protect_stateful"] is False


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        pytest.param(
            "profiles/prod.yaml", lambda d: d.update(network={"nat": "single"}),
            r"^environments/profiles/prod\.yaml: network: unknown key; remove it or use "
            r"one of: availability, backup_retention_days, log_retention_days, "
            r"protect_stateful$",
            id="unknown-key"),
        pytest.param(
            "regions.yaml", lambda d: d["us-east-1"]["vpc_cidrs"].update(prod="10.32.0.1/16"),
            r"^environments/regions\.yaml: us-east-1\.vpc_cidrs\.prod: '10\.32\.0\.1/16' is not a "
            r"network CIDR .*; write it like 10\.32\.0\.0/16$",
            id="malformed-cidr"),
        pytest.param(
            "regions.yaml", lambda d: d["us-east-1"]["vpc_cidrs"].update(prod="10.32.0.0/24"),
            r"^environments/regions\.yaml: us-east-1\.vpc_cidrs\.prod: 10\.32\.0\.0/24 is not an "
            r"IPv4 range from /16 to /22; AWS allows VPCs up to /16 and three subnet tiers",
            id="vpc-too-small"),
        pytest.param(
            "regions.yaml", lambda d: d["us-west-2"]["vpc_cidrs"].update(prod="10.32.128.0/17"),
            r"^environments/regions\.yaml: us-west-2\.vpc_cidrs\.prod: 10\.32\.128\.0/17 overlaps "
            r"us-east-1\.vpc_cidrs\.prod \(10\.32\.0\.0/16\); give every prod stack its own range",
            id="cidr-overlap"),
        pytest.param(
            "regions.yaml", lambda d: d["us-east-1"].pop("jurisdiction"),
            r"^environments/regions\.yaml: us-east-1\.jurisdiction: required key is missing; "
            r"add it$",
            id="region-without-jurisdiction"),
        pytest.param(
            "regions.yaml", lambda d: d["us-east-1"].update(jurisdiction="mars"),
            r"^environments/regions\.yaml: us-east-1\.jurisdiction: 'mars' is not a jurisdiction; "
            r"use one of eu, sa, us or add it to jurisdictions\.yaml$",
            id="region-with-unknown-jurisdiction"),
        pytest.param(
            "regions.yaml", lambda d: d["me-south-1"].update(az_count=4),
            r"^environments/regions\.yaml: me-south-1\.az_count: 4 exceeds the 3 availability "
            r"zones me-south-1 has; use at most 3$",
            id="too-many-azs"),
        pytest.param(
            "regions.yaml", lambda d: d["us-east-1"]["vpc_cidrs"].update(qa="10.99.0.0/16"),
            r"^environments/regions\.yaml: us-east-1\.vpc_cidrs\.qa: 'qa' is not an environment; "
            r"use one of dev, prod, staging or add profiles/qa\.yaml$",
            id="cidr-for-unknown-environment"),
        pytest.param(
            "jurisdictions.yaml", lambda d: d["us"]["regions"].remove("us-west-2"),
            r"^environments/regions\.yaml: us-west-2\.jurisdiction: jurisdiction 'us' does not "
            r"list us-west-2",
            id="jurisdiction-not-listing-region"),
        pytest.param(
            "profiles/dev.yaml", lambda d: d.update(log_retention_days=10),
            r"^environments/profiles/dev\.yaml: log_retention_days: 10 is not a CloudWatch Logs "
            r"retention; use one of 1, 3, 5, 7, 14",
            id="bad-log-retention"),
    ],
)
def test_bad_data_is_one_line_naming_file_key_and_fix(
        data_copy: Path, file: str, change: Callable[[dict[str, Any]], None],
        expected: str) -> None:
    edit(data_copy, file, change)
    with pytest.raises(SpecError) as raised:
        EnvironmentData(data_copy).stack_spec("coursebundler-prod-us-east-1", "coursebundler")
    message = str(raised.value).replace(str(data_copy.parent) + "/", "")
    assert "\n" not in message
    assert re.search(expected, message), message


@pytest.mark.parametrize(
    ("stack", "blueprint", "expected"),
    [
        ("prod-us-east-1", "prod", r"^stack 'prod-us-east-1': name: does not parse as "
                                   r"<blueprint>-<env>-<region> or <blueprint>-<env>-global; "
                                   r"name it like "
                                   r"coursebundler-prod-us-east-1$"),
        ("coursebundler_prod-us-east-1", "coursebundler", r"does not parse as"),
        ("coursebundler-qa-us-east-1", "coursebundler",
         r"^stack 'coursebundler-qa-us-east-1': environment: 'qa' is not an environment; "
         r"use one of dev, prod, staging"),
        ("coursebundler-prod-ap-southeast-1", "coursebundler",
         r"^environments/regions\.yaml: ap-southeast-1: no entry for this region; add it with "
         r"its jurisdiction, az_count and vpc_cidrs$"),
        ("coursebundler-prod-us-east-1", None,
         r"^environments/stacks/Pulumi\.coursebundler-prod-us-east-1\.yaml: "
         r"config\.platform:blueprint: missing; add `platform:blueprint: coursebundler`"),
        ("coursebundler-prod-us-east-1", "cost-optimized",
         r"config\.platform:blueprint: 'cost-optimized' disagrees with the stack name "
         r"'coursebundler-prod-us-east-1'; name the stack cost-optimized-prod-us-east-1"),
    ],
)
def test_bad_stack_names(stack: str, blueprint: str | None, expected: str) -> None:
    with pytest.raises(SpecError, match=expected):
        load_stack_spec(stack, blueprint)


def test_a_global_stack_lives_in_the_home_region_of_its_jurisdiction_without_a_vpc() -> None:
    from environments.loader import GLOBAL_HOME_REGION

    spec = load_stack_spec("coursebundler-prod-global", "coursebundler")
    regional = load_stack_spec(f"coursebundler-prod-{GLOBAL_HOME_REGION}", "coursebundler")
    assert (spec.scope, spec.region, spec.vpc_cidr) == ("global", GLOBAL_HOME_REGION, None)
    assert spec.jurisdiction_name == regional.jurisdiction_name
    assert regional.scope == "regional" and regional.vpc_cidr is not None


def test_vpc_size_bounds_match_the_subnet_plan() -> None:
    from components.subnet_plan import SMALLEST_VPC_PREFIX
    from environments import loader

    assert loader.SMALLEST_VPC_PREFIX == SMALLEST_VPC_PREFIX
