"""Every copy path of policies/copy_paths.py: a program that copies restricted data from
HOME to an allowed region is clean; the same program with the one destination moved outside
is caught on the right resource, by the path's policy, naming the path."""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path

import pytest

from policies.copy_paths import COPY_PATHS, COPY_PATHS_MARKERS, UNSEEN, markdown_table
from tests.policy_cases import enforced, verdicts
from tests.residency_programs import PATH_CASES, PathCase

INSIDE = "us-west-2"  # allowed by the test config (us-east-1, us-west-2)
OUTSIDE = "eu-west-1"
RESIDENCY = {e.policy for e in COPY_PATHS} | {"residency-region-allowed"}
POLICY = {e.id: e.policy for e in COPY_PATHS}


def residency_findings(build, to: str) -> list[dict]:  # noqa: ANN001
    return [v for v in enforced(verdicts(lambda: build(to))) if v["policy"] in RESIDENCY]


def test_every_copy_path_has_a_case() -> None:
    assert sorted(c.path for c in PATH_CASES) == sorted(e.id for e in COPY_PATHS)
    assert len({e.id for e in COPY_PATHS}) == len(COPY_PATHS), "copy path ids are unique"


@pytest.mark.parametrize("case", PATH_CASES, ids=lambda c: c.path)
def test_copy_inside_the_jurisdiction_is_clean(case: PathCase) -> None:
    assert residency_findings(case.build, INSIDE) == []


@pytest.mark.parametrize("case", PATH_CASES, ids=lambda c: c.path)
def test_copy_moved_outside_is_caught_on_its_resource(case: PathCase) -> None:
    found = residency_findings(case.build, OUTSIDE)
    mine = [v for v in found if f"[copy path {case.path}]" in v["message"]]
    assert mine, json.dumps(found, indent=1)
    for violation in mine:
        assert violation["policy"] == POLICY[case.path]
        assert violation["urn"].endswith(f"::{case.subject}"), violation["urn"]
        assert f"in {OUTSIDE}, outside allowedRegions" in violation["message"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _inputs(type_token: str) -> set[str]:
    package, module, cls = re.match(r"^(aws|aws-native):([\w-]+)(?:/\w+)?:(\w+)$",
                                    type_token).groups()
    name = (f"pulumi_aws_native.{module}" if package == "aws-native"
            else f"pulumi_aws.{'lambda_' if module == 'lambda' else module}")
    resource = getattr(importlib.import_module(name), cls)
    return {_camel(p) for p in inspect.signature(resource._internal_init).parameters}


@pytest.mark.parametrize("entry", COPY_PATHS, ids=lambda e: e.id)
def test_every_path_starts_at_an_input_of_its_types(entry) -> None:  # noqa: ANN001
    for type_token in entry.types:
        inputs = _inputs(type_token)
        for ref in (*entry.to, *entry.source):
            assert ref.path.split(".")[0].removesuffix("[]") in inputs, (type_token, ref.path)
        if entry.when:
            assert entry.when[0] in inputs
    assert entry.source_url.startswith("https://docs.aws.amazon.com/")


def test_readme_lists_every_copy_path_and_what_is_not_followed() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    begin, end = COPY_PATHS_MARKERS
    assert f"{begin}\n{markdown_table()}\n{end}" in readme, (
        "README is stale: paste `python -m policies.copy_paths` between the markers")
    for entry in COPY_PATHS:
        assert f"[`{entry.id}`]" in readme
    for unseen in UNSEEN:
        assert unseen.route in readme
