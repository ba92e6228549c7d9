"""Errors platformctl reports as one line with exit code 2."""


class PlanInputError(Exception):
    """Bad input to platformctl (project, stack, options): the message is the whole report."""


class ProgramError(Exception):
    """The Pulumi program failed while it was planned: the message is one line."""
