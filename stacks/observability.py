"""The observability layer of a regional stack."""

from __future__ import annotations

from stacks.context import RegionalContext


def build(ctx: RegionalContext) -> None:
    """Build the observability components the profile turns on into `ctx`."""
