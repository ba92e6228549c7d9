"""What every blueprint is: an id, a typed settings model, and a build function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from environments import StackSpec


class BlueprintSettings(BaseModel):
    """A blueprint's settings: composed of the component settings classes it wires (one
    schema per knob); the stack file's `platform:settings` fills them in. Unknown keys are
    errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


SettingsT = TypeVar("SettingsT", bound=BlueprintSettings)


@dataclass(frozen=True)
class Blueprint(Generic[SettingsT]):
    id: str
    """Public id (`platform:blueprint`), the first part of every stack name."""
    settings: type[SettingsT]
    build: Callable[[StackSpec, SettingsT], None]
    regional_services: Callable[[SettingsT], list[tuple[str, str]]]
    """(setting, botocore service) pairs the settings turn on, checked against the region's
    endpoint data at load."""
    summary: str = ""
    global_stacks: bool = False
    """Whether `build` has a global build (`<id>-<env>-global`, spec.scope `global`)."""

    def services_of(self, settings: Any) -> list[tuple[str, str]]:
        return self.regional_services(settings)
