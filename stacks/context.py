"""What the layers of a regional stack hand each other while it is built."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.monitoring import MonitoredResource
from components.network import Network
from environments import StackSpec
from stacks.providers import RegionalProviders


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
