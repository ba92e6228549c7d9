"""How a policy of this pack is built: a stack policy whose check sees the whole graph and
whose findings pass through the waiver filter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from .config import schema
from .graph import Graph
from .waivers import waiver

Report = Callable[[Any, str], None]
"""`report(resource_or_urn, message)` inside a check."""
Check = Callable[[Graph, Mapping[str, Any], Report], None]


def stack_policy(name: str, description: str, check: Check, *,
                 enforcement: EnforcementLevel = EnforcementLevel.MANDATORY,
                 config_keys: tuple[str, ...] = (),
                 remediation: str | None = None,
                 config_schema: PolicyConfigSchema | None = None) -> StackValidationPolicy:
    """A StackValidationPolicy running `check(graph, config, report)` with waivers applied."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = args.get_config() or {}
        graph = Graph.of(args.resources)
        findings: list[tuple[str | None, str]] = []

        def report(subject: Any, message: str) -> None:
            urn = subject if isinstance(subject, str) or subject is None else subject.urn
            findings.append((urn, message))

        check(graph, config, report)
        waived = getattr(report_violation, "waived", None)
        for urn, message in findings:
            reason, problem = waiver(graph, name, urn, config)
            if reason is not None:
                if waived is not None:
                    waived(message, urn, reason)
                continue
            if problem:
                message = f"{message} (not waived: {problem})"
            report_violation(message, urn)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement,
        config_schema=config_schema or schema(*config_keys),
        remediation_steps=remediation,
    )
