"""Pulumi entry point: load this stack's spec from environments/, build it."""

import pulumi

from environments import SpecError, load_stack_spec
from stacks.regional import build_regional_stack

stack = pulumi.get_stack()
try:
    spec = load_stack_spec(stack, overrides=pulumi.Config("platform").get_object("profile"))
except SpecError as error:
    # RunError: the CLI prints the one line, without a traceback.
    raise pulumi.RunError(str(error)) from None
build_regional_stack(spec)
