"""Component settings: the one schema of a component's knobs, reused by blueprint settings.

A component whose knobs a stack file may set splits its args in two frozen dataclasses:
`<Name>Settings` (plain values with their defaults and checks: what blueprint settings
models and stack files fill in) and `<Name>Args(<Name>Settings)` adding the wiring (ids and
Outputs of other parts) and posture (protection, retention, availability) the blueprint
passes. So every knob has one definition, one default and one check.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

ArgsT = TypeVar("ArgsT")


def wire(args: type[ArgsT], settings: Any, **wiring: Any) -> ArgsT:
    """`args` built from `settings`' values plus the blueprint's `wiring` and posture."""
    values = {f.name: getattr(settings, f.name) for f in fields(settings)}
    return args(**{**values, **wiring})
