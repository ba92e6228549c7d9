"""The blueprint registry and its loading: ids, typed settings laid over the blueprint's
defaults, region capabilities from botocore, and obligations that fail the plan."""

from __future__ import annotations

from typing import Any

import pytest

from components.object_store import ObjectStore, ObjectStoreArgs
from environments import SpecError
from environments.capabilities import check_offered, regions_offering
from platformctl.errors import PlanInputError
from stacks.blueprints import BLUEPRINTS, load
from stacks.obligations import Obligations
from tests.plans import in_region, run_offline

COURSEBUNDLER = {"domain": "example.com", "route53_zone_id": "Z1",
                 "viewer_host": "app.example.com"}


def test_every_blueprint_id_is_the_key_it_is_registered_under() -> None:
    assert {"cost-optimized", "coursebundler"} <= set(BLUEPRINTS)
    for blueprint_id, blueprint in BLUEPRINTS.items():
        assert blueprint.id == blueprint_id and blueprint.summary


def test_settings_a_stack_file_sets_change_only_the_keys_it_names() -> None:
    _, spec, settings = load("coursebundler-dev-us-east-1", "coursebundler",
                             {**COURSEBUNDLER, "frontend": {"min_tasks": 1}})
    assert spec.blueprint == "coursebundler"
    assert settings.frontend.min_tasks == 1  # type: ignore[attr-defined]
    # The blueprint's own choice for the frontend survives the partial section.
    default = type(settings).model_fields["frontend"].default
    assert settings.frontend.container_port == default.container_port != 8080  # type: ignore


@pytest.mark.parametrize(("stack", "blueprint", "settings", "expected"), [
    ("no-such-prod-us-east-1", "no-such", {},
     r"config\.platform:blueprint: 'no-such' is not a blueprint; use one of "
     r"cost-optimized, coursebundler"),
    ("coursebundler-prod-us-east-1", "coursebundler", {**COURSEBUNDLER, "frontendd": {}},
     r"config\.platform:settings\.frontendd: unknown key; remove it or use one of: "),
    ("coursebundler-prod-us-east-1", "coursebundler", {**COURSEBUNDLER, "frontend": {"cpu": 300}},
     r"config\.platform:settings\.frontend: cpu: 300 is not a Fargate size; use one of 256"),
    ("coursebundler-prod-us-east-1", "coursebundler", {"domain": "example.com"},
     r"config\.platform:settings\.route53_zone_id: required key is missing; add it"),
])
def test_bad_settings_are_one_line_naming_the_stack_file_and_key(
        stack: str, blueprint: str, settings: dict[str, Any], expected: str) -> None:
    with pytest.raises(SpecError, match=expected) as raised:
        load(stack, blueprint, settings)
    assert str(raised.value).startswith(f"environments/stacks/Pulumi.{stack}.yaml: ")
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("blueprint", sorted(b for b in BLUEPRINTS
                                              if not BLUEPRINTS[b].global_stacks))
def test_a_global_stack_of_a_blueprint_without_one_is_refused_before_building(
        blueprint: str) -> None:
    stack = f"{blueprint}-prod-global"
    with pytest.raises(SpecError, match=rf"^stack '{stack}': name: blueprint '{blueprint}' has "
                       r"no global stack; name it for a region") as raised:
        load(stack, blueprint, {})
    assert "\n" not in str(raised.value)


def test_a_service_the_region_lacks_names_the_jurisdictions_region_that_has_it() -> None:
    # From botocore's endpoint data: find a service offered in one region and not another.
    offering = regions_offering("medialive")
    assert "me-central-1" in offering and "me-south-1" not in offering
    with pytest.raises(SpecError, match=r"^f\.yaml: settings\.live: turns on medialive, which "
                                        r"me-south-1 does not offer; deploy it in me-central-1 "
                                        r"\(same jurisdiction\)$"):
        check_offered([("settings.live", "medialive")], "me-south-1",
                      ["me-south-1", "me-central-1"], "f.yaml")
    with pytest.raises(SpecError, match="no region of the jurisdiction offers it"):
        check_offered([("settings.live", "medialive")], "me-south-1", ["me-south-1"], "f.yaml")
    check_offered([("settings.db", "docdb")], "me-south-1", ["me-south-1"], "f.yaml")


def test_an_obligation_left_open_fails_the_plan_naming_it() -> None:
    def program(opts: Any) -> None:
        obligations = Obligations()
        obligations.bucket_policy("assets", ObjectStore("assets", ObjectStoreArgs(
            data_class="public-content", cloudfront_origin=True), opts=opts), owed_to="the CDN")
        obligations.settle_all()

    with pytest.raises(PlanInputError, match=r"bucket 'assets' waits for the CDN to write its "
                                             r"policy"):
        run_offline(in_region("us-east-1", program))


def test_a_settled_obligation_passes() -> None:
    def program(opts: Any) -> None:
        obligations = Obligations()
        store = obligations.bucket_policy("assets", ObjectStore("assets", ObjectStoreArgs(
            data_class="public-content", cloudfront_origin=True), opts=opts), owed_to="the CDN")
        store.allow_cloudfront(["arn:aws:cloudfront::123456789012:distribution/E1"])
        obligations.settle_all()

    view = run_offline(in_region("us-east-1", program))
    assert view.named("assets-policy")
