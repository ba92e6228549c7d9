"""opt-in-region (info): resources in a region an AWS account must enable before use."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from platformctl.checks import Report, Severity
from platformctl.checks.plan_view import StackPlan

ID = "opt-in-region"
TABLE = Path(__file__).with_name("data") / "opt_in_regions.yaml"


@cache
def opt_in_regions() -> dict[str, str]:
    return yaml.safe_load(TABLE.read_text())


def run(plans: list[StackPlan], report: Report) -> None:
    regions = opt_in_regions()
    for view in plans:
        used = sorted({r["region"] for r in view.plan["resources"]
                       if isinstance(r.get("region"), str) and r["region"] in regions})
        for region in used:
            report.add(ID, None, f"{view.stack}: deploys to {region} ({regions[region]}), an "
                       "opt-in region; enable it for the account first (Account settings > "
                       "AWS Regions, or `aws account enable-region --region-name "
                       f"{region}`)", Severity.info)
