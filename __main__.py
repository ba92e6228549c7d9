"""Pulumi entry point: load this stack's spec and settings, build its blueprint."""

import pulumi

from environments import SpecError
from stacks.blueprints import build

config = pulumi.Config("platform")
try:
    build(pulumi.get_stack(), config.get("blueprint"), config.get_object("settings"))
except SpecError as error:
    # RunError: the CLI prints the one line, without a traceback.
    raise pulumi.RunError(str(error)) from None
