"""Monthly cost of a plan at list prices: one line per billable resource, from the dated
price table (prices.yaml) and the usage assumptions (usage.py defaults or a usage file)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from platformctl.cost.pricers import PRICERS, Context
from platformctl.cost.usage import UsageError, load_usage

PRICE_TABLE = Path(__file__).parent / "prices.yaml"
CURRENCY = "USD"
# A global resource (CloudFront, WAF for CloudFront) prices as the region's `global` row.
GLOBAL = "global"


class CostError(Exception):
    """Bad cost input (usage file): the message is one line."""


@cache
def price_table() -> dict[str, Any]:
    return yaml.safe_load(PRICE_TABLE.read_text())


def _free(resource_type: str, patterns: list[str]) -> bool:
    return any(resource_type == p or p.endswith("*") and resource_type.startswith(p[:-1])
               for p in patterns)


def estimate(plan: dict[str, Any], usage: dict[str, dict[str, Any]],
             prices: dict[str, Any] | None = None) -> dict[str, Any]:
    """`{"stack", "currency", "monthly", "lines", "unpriced", "priceTable"}` of one plan."""
    prices = prices or price_table()
    resources = {r["urn"]: r for r in plan["resources"]}
    lines, unpriced = [], set()
    for resource in plan["resources"]:
        type_ = resource["type"]
        if not resource.get("custom", True) or _free(type_, prices["free_types"]):
            continue
        pricer = PRICERS.get(type_)
        region = resource.get("region") or GLOBAL
        factor = prices["regions"].get(region, {}).get("factor")
        if pricer is None or factor is None:
            unpriced.add(type_ if factor is not None else f"{type_} ({region}: no prices)")
            continue
        line = pricer(resource, Context(prices, usage, factor, resources))
        if line is None:
            unpriced.add(type_)
            continue
        monthly, basis = line
        lines.append({"urn": resource["urn"], "type": type_, "monthly": round(monthly, 2),
                      "basis": basis if type_.startswith("cloudflare:") else f"{basis}; {region}"})
    zone_plan = usage["cloudflare"]["zone_plan_monthly"]
    if zone_plan and any(r["type"].startswith("cloudflare:") for r in plan["resources"]):
        lines.append({"urn": "", "type": "cloudflare zone plan", "monthly": float(zone_plan),
                      "basis": "usage cloudflare.zone_plan_monthly"})
    return {"stack": plan["stack"], "currency": CURRENCY,
            "monthly": round(sum(line["monthly"] for line in lines), 2), "lines": lines,
            "unpriced": sorted(unpriced),
            "priceTable": {"date": prices["date"], "version": prices["version"],
                           "source": prices["source"]}}


def usage_from(path: Path | None) -> dict[str, dict[str, Any]]:
    try:
        return load_usage(path)
    except UsageError as error:
        raise CostError(str(error)) from None


def cost_delta(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]],
               usage_path: Path | None) -> dict[str, dict[str, Any]]:
    """Stack -> {"base", "head", "delta", "unpriced"} monthly figures. A new stack's base
    is 0; a removed stack keeps costing what it did (removal does not destroy it)."""
    usage = usage_from(usage_path)
    out = {}
    for stack in sorted(set(base) | set(head)):
        old = estimate(base[stack], usage) if stack in base else None
        new = estimate(head[stack], usage) if stack in head else None
        before = old["monthly"] if old else 0.0
        after = new["monthly"] if new else before
        out[stack] = {"base": before, "head": after, "delta": round(after - before, 2),
                      "unpriced": sorted(set((old or {}).get("unpriced", []))
                                         | set((new or {}).get("unpriced", [])))}
    return out
