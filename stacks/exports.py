"""Typed cross-stack contracts: what a stack publishes for other stacks, and how they read it.

A contract is a frozen dataclass subclassing `StackExports`; each field is one stack output
(its camelCase name). The publishing stack calls `Contract(...).publish()` once; a reading
stack calls `Contract.read(stack)` and gets the same dataclass whose fields are Outputs of
the referenced stack's values. The field list is the only place an output name is spelled,
so a renamed or dropped output is a type error in the reader, not a `None` at deploy time:
every read fails the reading stack's preview and `pulumi up`, naming the stack, the output
and the contract field, when the referenced stack does not export it. Offline,
`platformctl plan` answers the reference with the referenced stack's own plan, and
`platformctl order` deploys the referenced stack first.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, TypeVar

import pulumi

ExportsT = TypeVar("ExportsT", bound="StackExports")


def output_name(field: str) -> str:
    """`aurora_cluster_arn` -> `auroraClusterArn` (Pulumi's output naming)."""
    head, *rest = field.split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclasses.dataclass(frozen=True)
class StackExports:
    """Base of every contract; subclasses are `@dataclasses.dataclass(frozen=True)`."""

    def publish(self) -> None:
        for field in dataclasses.fields(self):
            pulumi.export(output_name(field.name), getattr(self, field.name))

    @classmethod
    def read(cls: type[ExportsT], stack: str) -> ExportsT:
        """The contract as published by `stack` (a stack of this project, by its name)."""
        reference = pulumi.StackReference(
            f"{cls.__name__}-{stack}",
            stack_name=f"{pulumi.get_organization()}/{pulumi.get_project()}/{stack}")
        values: dict[str, Any] = {
            field.name: reference.get_output(output_name(field.name)).apply(
                functools.partial(_exported, stack, f"{cls.__name__}.{field.name}",
                                  output_name(field.name)))
            for field in dataclasses.fields(cls)}
        return cls(**values)


class MissingExportError(Exception):
    """The referenced stack does not export a field of the contract read from it."""


def _exported(stack: str, field: str, output: str, value: Any) -> Any:
    # get_output, not require_output: the SDK's KeyError names neither stack nor field.
    if value is None:
        raise MissingExportError(f"stack {stack} exports no output '{output}' ({field}); "
                                 f"deploy {stack} with this contract first")
    return value
