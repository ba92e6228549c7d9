"""The blueprints: one module per system of ../shared/seeds, and the registry of their ids.

`load(stack, config)` reads a stack's spec (environments/) and its blueprint's settings
(`platform:settings` of the stack file), checks the region offers what the settings turn on,
and returns what `build` needs; every refusal is one SpecError line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from environments import SpecError, StackSpec, load_stack_spec, validate_model
from environments.capabilities import check_offered
from stacks.blueprints import cost_optimized, coursebundler, knowledgecity, ott, upload_api
from stacks.blueprints.base import Blueprint, BlueprintSettings

BLUEPRINTS: dict[str, Blueprint[Any]] = {
    b.id: b for b in (cost_optimized.BLUEPRINT, coursebundler.BLUEPRINT,
                      knowledgecity.BLUEPRINT, ott.BLUEPRINT, upload_api.BLUEPRINT)}


def load(stack: str, blueprint_id: str | None, settings: Mapping[str, Any] | None,
         ) -> tuple[Blueprint[Any], StackSpec, BlueprintSettings]:
    spec = load_stack_spec(stack, blueprint_id)
    blueprint = BLUEPRINTS.get(spec.blueprint)
    if blueprint is None:
        raise SpecError(spec.stack_file, "config.platform:blueprint",
                        f"'{spec.blueprint}' is not a blueprint",
                        f"use one of {', '.join(sorted(BLUEPRINTS))}")
    if spec.scope == "global" and not blueprint.global_stacks:
        with_global = sorted(b.id for b in BLUEPRINTS.values() if b.global_stacks)
        raise SpecError(f"stack '{stack}'", "name",
                        f"blueprint '{blueprint.id}' has no global stack",
                        f"name it for a region, like {blueprint.id}-{spec.environment}-"
                        f"{spec.region} (global stacks: {', '.join(with_global)})")
    typed = validate_model(blueprint.settings, _onto_defaults(blueprint.settings, settings),
                           spec.stack_file, "config.platform:settings")
    check_offered([(f"config.platform:settings.{setting}", service)
                   for setting, service in blueprint.services_of(typed)],
                  spec.region, spec.allowed_regions, spec.stack_file)
    return blueprint, spec, typed


def _onto_defaults(model: type[BlueprintSettings], settings: Mapping[str, Any] | None,
                   ) -> dict[str, Any]:
    """The stack file's settings laid over the blueprint's defaults: a section the stack
    file sets (`frontend: {min_tasks: 1}`) changes only the keys it names, so a blueprint's
    choice (the frontend's port) is not spelled again in every stack file."""
    merged = dict(settings or {})
    for name, value in merged.items():
        field = model.model_fields.get(name)
        default = None if field is None or field.is_required() else field.get_default(
            call_default_factory=True)
        if isinstance(value, Mapping) and dataclasses.is_dataclass(default):
            base = {f.name: getattr(default, f.name) for f in dataclasses.fields(default)}
            merged[name] = {**base, **value}
    return merged


def build(stack: str, blueprint_id: str | None, settings: Mapping[str, Any] | None) -> None:
    blueprint, spec, typed = load(stack, blueprint_id, settings)
    blueprint.build(spec, typed)
