"""Check reports as text, JSON, Markdown and SARIF."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from platformctl.checks import Report, Severity
from platformctl.render import SARIF_SCHEMA

SARIF_LEVELS = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note"}


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n"


def _verdict(report: Report) -> str:
    blocking = sum(f.severity is Severity.error for f in report.findings)
    stacks = ", ".join(report.stacks)
    if blocking:
        return f"{blocking} blocking finding(s) in {stacks}"
    return f"nothing blocking in {stacks}" + (
        f" ({len(report.unchecked)} item(s) not checked, listed above)"
        if report.unchecked else "")


def render_text(report: Report) -> str:
    lines = [f"{f.severity}: [{f.check}] {f.message}" for f in report.findings]
    lines += [f"not checked: [{u.check}] {u.reason}" for u in report.unchecked]
    return "\n".join([*lines, _verdict(report)]) + "\n"


def render_markdown(report: Report) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"### platformctl check: {_verdict(report)}", ""]
    if report.findings:
        lines += ["| severity | check | finding |", "|---|---|---|"]
        lines += [f"| {f.severity} | `{f.check}` | {cell(f.message)} |"
                  for f in report.findings]
        lines.append("")
    if report.unchecked:
        lines += ["<details><summary>not checked</summary>", ""]
        lines += [f"- `{u.check}`: {cell(u.reason)}" for u in report.unchecked]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def render_sarif(report: Report) -> str:
    from platformctl.checks import all_checks

    rule_ids = sorted(all_checks())
    results: list[dict[str, Any]] = []
    for finding in report.findings:
        location = finding.urn or ", ".join(report.stacks)
        results.append({
            "ruleId": finding.check,
            "ruleIndex": rule_ids.index(finding.check),
            "level": SARIF_LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": "Pulumi.yaml"},
                                     "region": {"startLine": 1}},
                "logicalLocations": [{"fullyQualifiedName": location, "kind": "resource"}],
            }],
            "partialFingerprints": {"checkUrn/v1": hashlib.sha256(
                f"{finding.check}|{location}|{finding.message}".encode()).hexdigest()},
        })
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {
            "name": "platformctl-check", "semanticVersion": "0.1.0",
            "rules": [{"id": r, "name": r, "shortDescription": {"text": r}} for r in rule_ids],
        }}, "results": results}],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown,
             "sarif": render_sarif}
