"""The regional composition: a value a component refuses is one line naming its file."""

from __future__ import annotations

import pytest

from environments import load_stack_spec
from platformctl.errors import PlanInputError
from stacks.regional import build_regional_stack
from tests.plans import run_offline

REFUSAL = (r"cdn: domain_names: empty; CloudFront's default certificate cannot enforce "
           r"TLSv1\.2_2021")


def plan(spec) -> None:
    run_offline(lambda: build_regional_stack(spec), stack=spec.stack, project="course-platform",
                config={"aws:region": spec.region})


def test_refusal_of_a_stack_override_names_the_stack_file() -> None:
    spec = load_stack_spec("dev-us-east-1", {"cdn": {"domain_names": []}})
    with pytest.raises(PlanInputError,
                       match=rf"^environments/stacks/Pulumi\.dev-us-east-1\.yaml: {REFUSAL}"):
        plan(spec)


def test_refusal_of_a_profile_value_names_the_profile() -> None:
    spec = load_stack_spec("dev-us-east-1")
    cdn = spec.profile.cdn.model_copy(update={"domain_names": []})
    spec = spec.model_copy(update={"profile": spec.profile.model_copy(update={"cdn": cdn})})
    with pytest.raises(PlanInputError, match=rf"^environments/profiles/dev\.yaml: {REFUSAL}"):
        plan(spec)

