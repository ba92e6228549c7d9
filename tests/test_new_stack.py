"""`platformctl new-stack`: CIDR allocation, text edits that keep comments, validation first.

Every test works on a private copy of environments/; the repository's data is never touched.
"""

from __future__ import annotations

import ipaddress
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from environments import EnvironmentData
from environments.loader import DATA_DIR
from platformctl.cli import app
from platformctl.new_stack import (
    NewStackError,
    add_to_collection,
    allocate_cidrs,
    environment_block,
    lowest_free_subnet,
    plan_new_stack,
    write_changes,
)

# The address plan at the top of regions.yaml, written out independently of the code.
PLAN = {"dev": ipaddress.ip_network("10.0.0.0/12"),
        "staging": ipaddress.ip_network("10.16.0.0/12"),
        "prod": ipaddress.ip_network("10.32.0.0/12")}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private copy of environments/ (data only) that a test may change."""
    copy = tmp_path / "environments"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return copy


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file()}


def new_stack(root: Path, env: str, region: str, **options: object) -> None:
    write_changes(plan_new_stack(root, env, region, **options, blueprint="coursebundler"))  # type: ignore[arg-type]


def run_cli(root: Path, *args: str):
    return CliRunner().invoke(app, ["new-stack", "coursebundler", *args, "--environments",
                                    str(root)])


# --- a new region ------------------------------------------------------------------------


def test_new_region_in_an_existing_jurisdiction(root: Path) -> None:
    regions_before = (root / "regions.yaml").read_text()
    jurisdictions_before = (root / "jurisdictions.yaml").read_text()

    new_stack(root, "prod", "ap-southeast-1", jurisdiction="us", widen_jurisdiction=True)

    regions_after = (root / "regions.yaml").read_text()
    assert regions_after.startswith(regions_before)  # comments and every entry kept as is
    assert "# Regions the platform runs in. Address plan" in regions_after
    regions = yaml.safe_load(regions_after)
    entry = regions["ap-southeast-1"]
    assert entry["jurisdiction"] == "us"
    assert entry["az_count"] == 3
    assert set(entry["vpc_cidrs"]) == {"dev", "staging", "prod"}
    for env, cidr in entry["vpc_cidrs"].items():
        network = ipaddress.ip_network(cidr)
        assert network.prefixlen == 16
        assert network.subnet_of(PLAN[env]), (env, cidr)
        others = [ipaddress.ip_network(r["vpc_cidrs"][e]) for name, r in regions.items()
                  if name != "ap-southeast-1" for e in r["vpc_cidrs"]]
        assert not any(network.overlaps(o) for o in others), (env, cidr)
    # The lowest free /16 of each block: the six shipped regions use the first six.
    assert entry["vpc_cidrs"] == {"dev": "10.6.0.0/16", "staging": "10.22.0.0/16",
                                  "prod": "10.38.0.0/16"}

    jurisdictions_after = (root / "jurisdictions.yaml").read_text()
    changed = [(a, b) for a, b in zip(jurisdictions_before.splitlines(),
                                      jurisdictions_after.splitlines(), strict=True) if a != b]
    assert changed == [("  regions: [us-east-1, us-west-2]",
                        "  regions: [us-east-1, us-west-2, ap-southeast-1]")]

    stack_file = root / "stacks" / "Pulumi.coursebundler-prod-ap-southeast-1.yaml"
    assert yaml.safe_load(stack_file.read_text()) == {"config": {
        "aws:region": "ap-southeast-1", "platform:blueprint": "coursebundler"}}

    data = EnvironmentData(root)
    spec = data.stack_spec("coursebundler-prod-ap-southeast-1", "coursebundler")
    assert spec.jurisdiction_name == "us"
    assert spec.vpc_cidr == "10.38.0.0/16"
    assert spec.availability_zones == ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]
    assert "ap-southeast-1" in spec.allowed_regions
    # The other environments got their range too: their stacks load without more edits.
    dev = data.stack_spec("coursebundler-dev-ap-southeast-1", "coursebundler")
    assert dev.vpc_cidr == "10.6.0.0/16"


def test_az_count_option_and_a_second_new_region_gets_the_next_range(root: Path) -> None:
    new_stack(root, "prod", "ap-southeast-1", jurisdiction="us", az_count=2,
              widen_jurisdiction=True)
    spec = EnvironmentData(root).stack_spec("coursebundler-prod-ap-southeast-1", "coursebundler")
    assert spec.availability_zones == ["ap-southeast-1a", "ap-southeast-1b"]
    # A region with only two AZs.
    text = (root / "aws_regions.yaml").read_text()
    (root / "aws_regions.yaml").write_text(
        text + "ap-south-1: {aps1-az1: ap-south-1a, aps1-az3: ap-south-1b}\n")
    new_stack(root, "dev", "ap-south-1", jurisdiction="us", widen_jurisdiction=True)
    entry = yaml.safe_load((root / "regions.yaml").read_text())["ap-south-1"]
    assert entry["az_count"] == 2  # min(3, the 2 AZs it has)
    assert entry["vpc_cidrs"] == {"dev": "10.7.0.0/16", "staging": "10.23.0.0/16",
                                  "prod": "10.39.0.0/16"}


def test_jurisdiction_is_taken_from_jurisdictions_yaml_when_it_already_lists_the_region(
        root: Path) -> None:
    path = root / "jurisdictions.yaml"
    path.write_text(path.read_text().replace("[me-south-1, me-central-1]",
                                             "[me-south-1, me-central-1, ap-southeast-1]"))
    before = path.read_text()
    with pytest.raises(NewStackError, match="already lists ap-southeast-1 under sa; pass that"):
        plan_new_stack(root, "prod", "ap-southeast-1", jurisdiction="us", blueprint="coursebundler")
    new_stack(root, "prod", "ap-southeast-1")
    assert path.read_text() == before
    spec = EnvironmentData(root).stack_spec("coursebundler-prod-ap-southeast-1", "coursebundler")
    assert spec.jurisdiction_name == "sa"


# --- a known region, a new environment ---------------------------------------------------


def test_existing_region_without_a_cidr_for_the_environment(root: Path) -> None:
    path = root / "regions.yaml"
    path.write_text(path.read_text().replace(", staging: 10.17.0.0/16", ""))
    before = path.read_text()
    jurisdictions = (root / "jurisdictions.yaml").read_text()

    new_stack(root, "staging", "us-west-2")

    after = path.read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    # The lowest free /16 of staging's 10.16.0.0/12 (10.16.0.0/16 is us-east-1's).
    assert changed == [("  vpc_cidrs: {dev: 10.1.0.0/16, prod: 10.33.0.0/16}",
                        "  vpc_cidrs: {dev: 10.1.0.0/16, prod: 10.33.0.0/16, "
                        "staging: 10.17.0.0/16}")]
    assert (root / "jurisdictions.yaml").read_text() == jurisdictions
    spec = EnvironmentData(root).stack_spec("coursebundler-staging-us-west-2", "coursebundler")
    assert spec.vpc_cidr == "10.17.0.0/16"
    assert len(spec.availability_zones) == 3


def test_existing_region_in_block_style_yaml(root: Path) -> None:
    """A regions.yaml written in block style is edited in block style."""
    path = root / "regions.yaml"
    data = yaml.safe_load(path.read_text())
    del data["us-west-2"]["vpc_cidrs"]["staging"]
    path.write_text("# header comment\n" + yaml.safe_dump(data, sort_keys=False))

    new_stack(root, "staging", "us-west-2")

    text = path.read_text()
    assert text.startswith("# header comment\n")
    assert "    staging: 10.17.0.0/16\n" in text
    assert yaml.safe_load(text)["us-west-2"]["vpc_cidrs"]["staging"] == "10.17.0.0/16"


def test_existing_region_has_its_own_jurisdiction_and_az_count(root: Path) -> None:
    path = root / "regions.yaml"
    path.write_text(path.read_text().replace(", staging: 10.17.0.0/16", ""))
    with pytest.raises(NewStackError, match=r"^--jurisdiction eu: .*already puts us-west-2 in "
                       r"'us'; drop the option"):
        plan_new_stack(root, "staging", "us-west-2", jurisdiction="eu", blueprint="coursebundler")
    with pytest.raises(NewStackError, match=r"^--az-count 2: .*az_count 3"):
        plan_new_stack(root, "staging", "us-west-2", az_count=2, blueprint="coursebundler")
    # Repeating what regions.yaml says is fine.
    plan_new_stack(root, "staging", "us-west-2", jurisdiction="us", az_count=3,
                   blueprint="coursebundler")


# --- bad input: one line, nothing written ------------------------------------------------


@pytest.mark.parametrize(("env", "region", "options", "message"), [
    ("prod", "xx-nowhere-1", {"jurisdiction": "us"},
     r"^environments/aws_regions\.yaml: 'xx-nowhere-1' is not a known AWS region; .*add it "
     r"there"),
    ("prod", "ap-southeast-1", {"jurisdiction": "atlantis"},
     r"^--jurisdiction atlantis: not a jurisdiction in environments/jurisdictions\.yaml; "
     r"use one of eu, sa, us"),
    ("prod", "ap-southeast-1", {},
     r"^--jurisdiction is required: ap-southeast-1 is new to environments/regions\.yaml"),
    ("prod", "us-east-1", {},
     r"^environments/stacks/Pulumi\.coursebundler-prod-us-east-1\.yaml already exists; "),
    ("prod", "ap-southeast-1", {"jurisdiction": "us", "az_count": 4},
     r"^--az-count 4: ap-southeast-1 has 3 availability zones .*; use 1 to 3$"),
    ("prod", "ap-southeast-1", {"jurisdiction": "us", "az_count": 0},
     r"^--az-count 0: .*use 1 to 3$"),
    ("qa", "ap-southeast-1", {"jurisdiction": "us"},
     r"^'qa' is not an environment; use one of dev, prod, staging"),
])
def test_bad_input_is_one_line_and_writes_nothing(root: Path, env: str, region: str,
                                                  options: dict, message: str) -> None:
    before = snapshot(root)
    with pytest.raises(NewStackError, match=message) as caught:
        plan_new_stack(root, env, region, **options, blueprint="coursebundler")
    assert "\n" not in str(caught.value)
    assert snapshot(root) == before


def test_broken_data_is_reported_before_anything_is_written(root: Path) -> None:
    path = root / "regions.yaml"
    path.write_text(path.read_text().replace("prod: 10.33.0.0/16", "prod: 10.32.128.0/17"))
    before = snapshot(root)
    with pytest.raises(NewStackError, match=r"does not load as it is: .*overlaps"):
        plan_new_stack(root, "prod", "ap-southeast-1", jurisdiction="us", blueprint="coursebundler")
    assert snapshot(root) == before


def test_a_text_edit_that_would_change_other_data_is_refused(root: Path) -> None:
    """A layout the editor does not understand is refused rather than guessed at."""
    path = root / "jurisdictions.yaml"
    path.write_text(path.read_text().replace("  regions: [us-east-1, us-west-2]",
                                             "  regions: [us-east-1,\n    us-west-2]"))
    before = snapshot(root)
    with pytest.raises(NewStackError, match=r"^environments/jurisdictions\.yaml: .*by hand"):
        plan_new_stack(root, "prod", "ap-southeast-1", jurisdiction="us", blueprint="coursebundler",
                       widen_jurisdiction=True)
    assert snapshot(root) == before


# --- the command line --------------------------------------------------------------------


def test_cli_writes_and_reports(root: Path) -> None:
    result = run_cli(root, "prod", "ap-southeast-1", "--jurisdiction", "us",
                     "--widen-jurisdiction")
    assert result.exit_code == 0, result.output
    assert "--widen-jurisdiction: restricted data of jurisdiction 'us' may now live in " \
           "ap-southeast-1" in result.stdout
    assert "wrote environments/regions.yaml" in result.stdout
    assert ("wrote environments/stacks/Pulumi.coursebundler-prod-ap-southeast-1.yaml"
            in result.stdout)
    assert "platformctl plan coursebundler-prod-ap-southeast-1" in result.stdout
    assert (root / "stacks" / "Pulumi.coursebundler-prod-ap-southeast-1.yaml").is_file()
    # Running it again: the stack exists now.
    again = run_cli(root, "prod", "ap-southeast-1")
    assert again.exit_code == 2
    assert again.stderr.strip().splitlines() == [
        "error: environments/stacks/Pulumi.coursebundler-prod-ap-southeast-1.yaml already "
        "exists; edit it, or delete it first to start over"]


def test_cli_dry_run_writes_nothing(root: Path) -> None:
    before = snapshot(root)
    result = run_cli(root, "prod", "ap-southeast-1", "--jurisdiction", "us", "--dry-run",
                     "--widen-jurisdiction")
    assert result.exit_code == 0, result.output
    assert "would write environments/regions.yaml" in result.stdout
    assert "10.38.0.0/16" in result.stdout
    assert "nothing written" in result.stdout
    assert snapshot(root) == before


@pytest.mark.parametrize(("args", "message"), [
    (["prod", "xx-nowhere-1", "--jurisdiction", "us"], "environments/aws_regions.yaml: "),
    (["prod", "ap-southeast-1", "--jurisdiction", "atlantis"], "not a jurisdiction"),
    (["prod", "ap-southeast-1", "--jurisdiction", "us", "--az-count", "9"], "--az-count 9"),
])
def test_cli_bad_input_exits_2_with_one_line(root: Path, args: list[str], message: str) -> None:
    before = snapshot(root)
    result = run_cli(root, *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in result.output
    assert snapshot(root) == before


# --- allocation and text edits (pure) ----------------------------------------------------


def test_environment_block_is_derived_from_existing_cidrs() -> None:
    assert environment_block("prod", ["10.32.0.0/16", "10.37.0.0/16"]) == PLAN["prod"]
    with pytest.raises(NewStackError, match="not inside one /12"):
        environment_block("prod", ["10.32.0.0/16", "10.48.0.0/16"])
    with pytest.raises(NewStackError, match="no region has a vpc_cidrs.qa"):
        environment_block("qa", [])


def test_tiny_plan_is_exhausted() -> None:
    block = ipaddress.ip_network("10.0.0.0/15")
    used = [ipaddress.ip_network("10.0.0.0/16")]
    assert lowest_free_subnet(block, used) == ipaddress.ip_network("10.1.0.0/16")
    assert lowest_free_subnet(block, [*used, ipaddress.ip_network("10.1.0.0/16")]) is None
    existing = {"a": {"dev": "10.0.0.0/16"}, "b": {"dev": "10.1.0.0/16"}}
    with pytest.raises(NewStackError, match="exhausted: no free /16 left in dev's 10.0.0.0/15"):
        allocate_cidrs(existing, ["dev"], env_prefix=15)


def test_allocation_takes_the_lowest_free_range_of_each_block() -> None:
    existing = {"a": {"dev": "10.0.0.0/16", "prod": "10.32.0.0/16"},
                "b": {"dev": "10.2.0.0/16", "prod": "10.33.0.0/17"}}
    assert allocate_cidrs(existing, ["dev", "prod"]) == {"dev": "10.1.0.0/16",
                                                         "prod": "10.34.0.0/16"}
    # A VPC outside its environment's block is refused, not worked around.
    with pytest.raises(NewStackError, match=r"prod CIDRs \(10.1.0.0/16, 10.32.0.0/16\) are not "
                       "inside one /12"):
        allocate_cidrs({"a": {"prod": "10.32.0.0/16"}, "b": {"prod": "10.1.0.0/16"}}, ["prod"])


@given(st.sets(st.integers(min_value=0, max_value=15), max_size=16))
def test_lowest_free_subnet_is_the_lowest_free_one(taken: set[int]) -> None:
    block = PLAN["staging"]
    subnets = list(block.subnets(new_prefix=16))
    used = [subnets[i] for i in taken]
    found = lowest_free_subnet(block, used)
    free = [i for i in range(16) if i not in taken]
    if not free:
        assert found is None
    else:
        assert found == subnets[free[0]]
        assert found.subnet_of(block) and not any(found.overlaps(u) for u in used)


@pytest.mark.parametrize(("text", "expected"), [
    ("a:\n  r: [x, y]  # note\nb:\n  r: [z]\n", "a:\n  r: [x, y, new]  # note\nb:\n  r: [z]\n"),
    ("a:\n  r: []\n", "a:\n  r: [new]\n"),
    ("# c\na:\n  r:\n    - x\n    # kept\n    - y\nb: 1\n",
     "# c\na:\n  r:\n    - x\n    # kept\n    - y\n    - new\nb: 1\n"),
    ("a:\n  r:\n  - x\n  q: 1\n", "a:\n  r:\n  - x\n  - new\n  q: 1\n"),
])
def test_add_to_collection_keeps_everything_else(text: str, expected: str) -> None:
    assert add_to_collection(text, "a", "r", flow_item="new", block_item="new") == expected


def test_add_to_collection_refuses_what_it_does_not_understand() -> None:
    with pytest.raises(NewStackError, match="no top-level 'zz:'"):
        add_to_collection("a:\n  r: [x]\n", "zz", "r", flow_item="n", block_item="n")
    with pytest.raises(NewStackError, match="is not a one-line"):
        add_to_collection("a:\n  r: x\n", "a", "r", flow_item="n", block_item="n")


def test_widening_a_jurisdiction_needs_the_flag_and_says_so(root: Path) -> None:
    before = snapshot(root)
    result = run_cli(root, "prod", "ap-southeast-1", "--jurisdiction", "us")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    regions = ", ".join(EnvironmentData(root).jurisdictions["us"].regions)
    assert line == (f"error: ap-southeast-1 is not a region of jurisdiction 'us' "
                    f"(environments/jurisdictions.yaml: {regions}); adding it lets that "
                    "jurisdiction's restricted data live in ap-southeast-1: pass "
                    "--widen-jurisdiction to do so (and have it reviewed)")
    assert snapshot(root) == before
    # A region the jurisdiction already lists widens nothing: no flag needed.
    path = root / "jurisdictions.yaml"
    path.write_text(path.read_text().replace("[us-east-1, us-west-2]",
                                             "[us-east-1, us-west-2, ap-southeast-1]"))
    assert run_cli(root, "prod", "ap-southeast-1").exit_code == 0


# --- a whole new stack of a multi-region blueprint, planned ------------------------------


def test_knowledgecity_new_region_of_a_jurisdiction_needs_only_new_stack(tmp_path: Path) -> None:
    """`new-stack knowledgecity prod <region>` in a copy of the repository is the only step:
    the stack it writes (no settings at all) plans with zero mandatory violations."""
    import json
    import os
    import subprocess
    import sys

    from environments import load_stack_spec
    from environments.capabilities import regions_offering
    from stacks.blueprints.knowledgecity import BLUEPRINT, KnowledgeCitySettings
    from tests.shipped_stacks import stacks_of

    repo = DATA_DIR.parent
    copy = tmp_path / "repo"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "golden"))
    data = EnvironmentData()
    needed = {service for _, service in BLUEPRINT.services_of(KnowledgeCitySettings())}
    shipped = {load_stack_spec(s, "knowledgecity").region for s in stacks_of("knowledgecity")
               if "-prod-" in s and not s.endswith("-global")}
    jurisdictions = {data.regions[r].jurisdiction for r in shipped}
    # A region of a jurisdiction the blueprint already serves, offering what the default
    # settings turn on; when it has a stack today, the copy starts without it.
    candidates = [name for name, region in data.regions.items()
                  if region.jurisdiction in jurisdictions and "prod" in region.vpc_cidrs
                  and all(name in regions_offering(service) for service in needed)]
    assert candidates
    region = next((r for r in candidates if r not in shipped), candidates[0])
    stack = f"knowledgecity-prod-{region}"
    (copy / "environments" / "stacks" / f"Pulumi.{stack}.yaml").unlink(missing_ok=True)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "platformctl", *args], cwd=copy,
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "PYTHONPATH": str(copy)})

    created = run("new-stack", "knowledgecity", "prod", region)
    assert created.returncode == 0, created.stderr
    written = yaml.safe_load((copy / "environments" / "stacks" / f"Pulumi.{stack}.yaml")
                             .read_text())
    assert "platform:settings" not in written["config"]  # nothing but the command
    planned = run("plan", stack, "--format", "json")
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    assert [v for v in plan["violations"] if v["enforcement"] == "mandatory"] == []
    assert {r["region"] for r in plan["resources"]
            if r["type"] == "aws:dynamodb/table:Table"} == {region}
