"""What the layers of a regional stack hand each other while it is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pulumi

from components.monitoring import MonitoredResource
from components.network import Network
from environments import StackSpec
from stacks.providers import RegionalProviders

ArgsT = TypeVar("ArgsT")


def profile_args(spec: StackSpec, section: str, build: Callable[[], ArgsT]) -> ArgsT:
    """Build a component's args from profile `section`. A value the component refuses
    becomes one line naming the file it came from (the profile, or the stack file that
    overrides that section) and the section, before anything is created."""
    try:
        return build()
    except ValueError as error:
        raise pulumi.RunError(f"{spec.source_of(section)}: {section}: {error}") from None


@dataclass
class RegionalContext:
    """Built top to bottom by stacks/regional.py; each layer reads what earlier layers set.

    Layers record the components they built in `components` (name -> component) and what
    Observability should watch in `monitored`; exports go through `export`.
    """

    spec: StackSpec
    providers: RegionalProviders
    network: Network
    components: dict[str, pulumi.ComponentResource] = field(default_factory=dict)
    monitored: list[MonitoredResource] = field(default_factory=list)
    workload_security_group_ids: list[pulumi.Output[str]] = field(default_factory=list)
    """Security groups of the workloads (ECS tasks, EKS nodes) data stores admit."""
    exports: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, component: pulumi.ComponentResource) -> None:
        self.components[name] = component
        self.monitored.extend(getattr(component, "monitored", []))

    def export(self, name: str, value: Any) -> None:
        self.exports[name] = value
