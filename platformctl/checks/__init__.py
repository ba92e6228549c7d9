"""Deploy-time checks: what would make `pulumi up` fail halfway, found offline in plans.

Each check is a module with an `ID` and `run(plans, report)`; it adds a `Finding` for a
defect and an `Unchecked` for what it could not judge (a value unknown until apply, a
service botocore does not describe), so a report never reads clean where it did not look.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from platformctl.checks.plan_view import StackPlan


class Severity(StrEnum):
    error = "error"  # blocks: the apply would fail
    warning = "warning"
    info = "info"


@dataclass(frozen=True)
class Finding:
    check: str
    urn: str | None
    message: str  # one line: the resource, what fails, the fix
    severity: Severity = Severity.error

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "severity": str(self.severity)}


@dataclass(frozen=True)
class Unchecked:
    check: str
    urn: str | None
    reason: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    stacks: list[str] = field(default_factory=list)

    def add(self, check: str, urn: str | None, message: str,
            severity: Severity = Severity.error) -> None:
        self.findings.append(Finding(check, urn, message, severity))

    def skip(self, check: str, urn: str | None, reason: str) -> None:
        self.unchecked.append(Unchecked(check, urn, reason))

    @property
    def blocking(self) -> bool:
        return any(f.severity is Severity.error for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {"stacks": self.stacks,
                "findings": [f.to_json() for f in self.findings],
                "unchecked": [asdict(u) for u in self.unchecked]}


Check = Callable[[list[StackPlan], Report], None]


def all_checks() -> dict[str, Check]:
    """Check id -> its run function (ids are a public interface)."""
    from platformctl.checks import (
        account_singleton,
        certificate_validation,
        crd_order,
        helm_chart,
        name_collision,
        name_invalid,
        opt_in_region,
        reference_backend,
        service_region,
    )

    modules = (service_region, name_collision, account_singleton, name_invalid, helm_chart,
               crd_order, certificate_validation, reference_backend, opt_in_region)
    return {m.ID: m.run for m in modules}


def run_checks(plans: list[StackPlan]) -> Report:
    report = Report(stacks=[p.stack for p in plans])
    for run in all_checks().values():
        run(plans, report)
    order = {s: i for i, s in enumerate(Severity)}
    report.findings.sort(key=lambda f: (order[f.severity], f.check, f.urn or "", f.message))
    report.unchecked.sort(key=lambda u: (u.check, u.urn or "", u.reason))
    return report
