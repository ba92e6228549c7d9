"""The data layer of a regional stack."""

from __future__ import annotations

from stacks.context import RegionalContext


def build(ctx: RegionalContext) -> None:
    """Build the data components the profile turns on into `ctx`."""
