"""`platformctl cost` output: JSON per stack, a text summary, a Markdown table."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any


def render_json(estimates: list[dict[str, Any]]) -> str:
    """One stack as an object; several as `{"stacks": [...]}` (as `plan` does)."""
    document: Any = estimates[0] if len(estimates) == 1 else {"stacks": estimates}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def by_type(estimate: dict[str, Any]) -> list[tuple[str, int, float]]:
    """(type, count, monthly) rows, most expensive first."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for line in estimate["lines"]:
        totals[line["type"]][0] += 1
        totals[line["type"]][1] += line["monthly"]
    return sorted(((t, int(c), m) for t, (c, m) in totals.items()), key=lambda r: -r[2])


def _footer(estimate: dict[str, Any]) -> list[str]:
    table = estimate["priceTable"]
    out = [f"prices: table v{table['version']} of {table['date']} (list prices, on-demand)"]
    if estimate["unpriced"]:
        out.append("not priced (the total leaves them out): " + ", ".join(estimate["unpriced"]))
    return out


def render_text(estimates: list[dict[str, Any]]) -> str:
    lines = []
    for estimate in estimates:
        lines.append(f"{estimate['stack']}: ${estimate['monthly']:,.2f}/month")
        for type_, count, monthly in by_type(estimate):
            lines.append(f"  {monthly:>11,.2f}  {count:>3} x {type_}")
        lines.extend(f"  {text}" for text in _footer(estimate))
        lines.append("")
    return "\n".join(lines)


def render_markdown(estimates: list[dict[str, Any]]) -> str:
    out = ["## platformctl cost", "", "| stack | monthly (USD) | unpriced types |", "|---|---|---|"]
    out += [f"| {e['stack']} | ${e['monthly']:,.2f} | {len(e['unpriced'])} |" for e in estimates]
    out.append("")
    for estimate in estimates:
        out += [f"<details><summary>{estimate['stack']}: ${estimate['monthly']:,.2f}/month"
                "</summary>", "", "| type | count | monthly |", "|---|---|---|"]
        out += [f"| `{t}` | {c} | ${m:,.2f} |" for t, c, m in by_type(estimate)]
        out += ["", *_footer(estimate), "", "</details>", ""]
    return "\n".join(out)
