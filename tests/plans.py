"""Test helpers: run a program (or a shipped stack) offline and query its plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from platformctl.engine import run_callable
from platformctl.plan import build_plan


@dataclass(frozen=True)
class PlanView:
    """A plan dict with the lookups tests need."""

    plan: dict[str, Any]

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.plan["resources"]

    def of_type(self, type_token: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == type_token]

    def one(self, type_token: str) -> dict[str, Any]:
        found = self.of_type(type_token)
        assert len(found) == 1, f"expected one {type_token}, found {len(found)}"
        return found[0]

    def named(self, name: str) -> dict[str, Any]:
        found = [r for r in self.resources if r["name"] == name]
        assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
        return found[0]

    def children_of(self, urn: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["parent"] == urn]


def run_offline(program: Callable[[], Any], *, stack: str = "test", project: str = "test",
                config: dict[str, str] | None = None,
                secret_keys: list[str] | None = None) -> PlanView:
    """Run `program` under the offline engine (in this process) and return its plan."""
    return PlanView(build_plan(run_callable(program, project=project, stack=stack,
                                            config=config, secret_keys=secret_keys)))


def in_region(region: str, build: Callable[[pulumi.ResourceOptions], Any]) -> Callable[[], Any]:
    """A program that creates explicit AWS providers for `region` and passes them to `build`."""

    def program() -> None:
        providers = [aws.Provider(f"aws-{region}", region=region),
                     aws_native.Provider(f"aws-native-{region}", region=region)]
        build(pulumi.ResourceOptions(providers=providers))

    return program
