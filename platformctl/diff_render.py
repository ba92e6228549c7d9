"""`platformctl diff` output: JSON for machines, text for the terminal, and one Markdown
pull-request comment that opens with the verdict, puts dangers and policy failures first,
folds the detail and stays under GitHub's comment limit."""

from __future__ import annotations

import json
from typing import Any

from platformctl.diff import DIFF_SCHEMA_VERSION, KINDS, Change, StackDiff

# GitHub refuses a comment body over 65,536 characters; keep room for the sticky-comment
# marker and the workflow's own header.
GITHUB_COMMENT_LIMIT = 65_536
MARKDOWN_BUDGET = GITHUB_COMMENT_LIMIT - 2_000
# Shares of the budget the danger and failure tables may fill before rows are cut.
DANGER_SHARE, FAILURE_SHARE = 0.4, 0.2
MAX_CELL = 300
Costs = dict[str, dict[str, Any]]  # stack -> {"base", "head", "delta", "unpriced"}


REMOVED_NOTE = ("no longer planned: its resources stay deployed, unmanaged, until "
                "`pulumi destroy` of that stack")


def verdict(stacks: list[StackDiff]) -> str:
    dangers = sum(len(s.dangers()) for s in stacks)
    failures = sum(len(s.head_failures) for s in stacks)
    removed = sum(1 for s in stacks if s.status == "removed")
    changed = [s for s in stacks if s.status != "unchanged"]
    if dangers or failures:
        parts = []
        if dangers:
            parts.append(f"{dangers} dangerous change{'s' * (dangers != 1)}")
        if failures:
            parts.append(f"{failures} mandatory policy failure{'s' * (failures != 1)}")
        if removed:
            parts.append(f"{removed} stack{'s' * (removed != 1)} removed")
        return "REVIEW NEEDED: " + ", ".join(parts)
    if removed:
        return f"REVIEW NEEDED: {removed} stack{'s' * (removed != 1)} removed ({REMOVED_NOTE})"
    if changed:
        return f"no dangerous changes ({len(changed)} of {len(stacks)} stacks change)"
    return f"no changes ({len(stacks)} stacks)"


def render_json(stacks: list[StackDiff], costs: Costs | None = None) -> str:
    document = {
        "schemaVersion": DIFF_SCHEMA_VERSION,
        "verdict": verdict(stacks),
        "stacks": [{"stack": s.stack, "status": s.status, "counts": s.counts(),
                    "dangers": len(s.dangers()), "policyFailures": len(s.head_failures),
                    "newPolicyFailures": s.new_failures,
                    **({"cost": costs[s.stack]} if costs and s.stack in costs else {})}
                   for s in stacks],
        "changes": [c.to_json() for s in stacks for c in s.changes],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _kind_label(change: Change) -> str:
    return f"{change.kind} (may replace)" if change.may_replace else change.kind


def _counts_text(stack: StackDiff) -> str:
    if stack.status == "removed":
        return REMOVED_NOTE
    counts = stack.counts()
    return ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k]) or "no changes"


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _delta(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}{_money(abs(value))}"


def render_text(stacks: list[StackDiff], costs: Costs | None = None) -> str:
    lines = [verdict(stacks), ""]
    for stack in stacks:
        cost = (costs or {}).get(stack.stack)
        money = f"; cost {_delta(cost['delta'])}/month" if cost else ""
        lines.append(f"{stack.stack} [{stack.status}]: {_counts_text(stack)}{money}")
        for failure in stack.head_failures:
            lines.append(f"  FAIL {failure['policy']}: {failure['message']}")
        for change in stack.changes:
            lines.append(f"  {_kind_label(change):<24} {change.type} {change.urn.rsplit('::')[-1]}")
            if change.props:
                lines.append(f"      props: {', '.join(change.props)}")
            lines.extend(f"      {why}" for why in change.why)
            lines.extend(f"      DANGER: {danger}" for danger in change.danger)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 3] + "..."


def _table(header: list[str], rows: list[str], limit: int, what: str) -> list[str]:
    """Header and as many rows as fit in `limit` characters, then how many were cut."""
    out, size = list(header), sum(len(h) + 1 for h in header)
    for index, row in enumerate(rows):
        if size + len(row) + 1 > limit:
            out.append(f"\n{len(rows) - index} more {what} not shown (see the JSON artifact "
                       "of this run)")
            break
        out.append(row)
        size += len(row) + 1
    return [*out, ""]


def _name(change: Change) -> str:
    return f"`{change.urn.rsplit('::', 1)[-1]}`"


def _danger_section(stacks: list[StackDiff], limit: int) -> list[str]:
    rows = [f"| {s.stack} | {_name(c)} `{c.type}` | {_kind_label(c)} | {_cell(d)} |"
            for s in stacks for c in s.dangers() for d in c.danger]
    if not rows:
        return []
    return _table(["### Dangerous changes", "", "| stack | resource | change | danger |",
                   "|---|---|---|---|"], rows, limit, "dangers")


def _failure_section(stacks: list[StackDiff], limit: int) -> list[str]:
    new = {id(v) for s in stacks for v in s.new_failures}
    rows = [f"| {s.stack} | `{v['policy']}` | {'yes' if id(v) in new else 'no'} | "
            f"{_cell(v['message'])} |" for s in stacks for v in s.head_failures]
    if not rows:
        return []
    return _table(["### Mandatory policy failures", "", "| stack | policy | new | message |",
                   "|---|---|---|---|"], rows, limit, "failures")


def _summary_section(stacks: list[StackDiff], costs: Costs | None) -> list[str]:
    header = "| stack | status | changes | dangers | policy failures |"
    rule = "|---|---|---|---|---|"
    if costs:
        header += " monthly cost (base -> head) |"
        rule += "---|"
    out = ["### Stacks", "", header, rule]
    for stack in stacks:
        row = (f"| {stack.stack} | {stack.status} | {_counts_text(stack)} | "
               f"{len(stack.dangers())} | {len(stack.head_failures)} |")
        cost = (costs or {}).get(stack.stack)
        if costs:
            row += (f" {_money(cost['base'])} -> {_money(cost['head'])} "
                    f"({_delta(cost['delta'])}) |" if cost else " - |")
        out.append(row)
    if costs:
        total = sum(c["delta"] for c in costs.values())
        out.append(f"\nEstimated monthly cost delta: **{_delta(total)}** (list prices; see "
                   "`platformctl cost` for the basis and unpriced types)")
    return [*out, ""]


SEVERITY = {"replace": 0, "delete": 1, "create": 2, "update": 3}


def _severity(change: Change) -> tuple[bool, bool, int, str]:
    """Dangers first, then what may replace, then by kind: what a cut keeps is what matters."""
    return (not change.danger, not change.may_replace, SEVERITY[change.kind], change.urn)


def _stack_detail(stack: StackDiff, limit: int) -> tuple[str, int]:
    """The folded detail of a stack within `limit` characters: (text, changes shown)."""
    summary = f"<details><summary>{stack.stack}: {_counts_text(stack)}</summary>"
    rows = [f"| {_kind_label(c)} | {_name(c)} | `{c.type}` | "
            f"{_cell(', '.join(c.props + c.options))} | {_cell('; '.join(c.why))} |"
            for c in sorted(stack.changes, key=_severity)]
    closing = 160  # the "N more" line and </details>
    table = _table([summary, "", "| change | resource | type | properties | why |",
                    "|---|---|---|---|---|"], rows, limit - closing, "changes of this stack")
    shown = sum(1 for line in table if line.startswith("| ") and not line.startswith(
        "| change |"))
    return "\n".join([*table, "</details>", "", ""]), shown


MIN_DETAIL = 400  # below this a stack's detail is dropped rather than shown as a stub


def render_markdown(stacks: list[StackDiff], costs: Costs | None = None,
                    budget: int = MARKDOWN_BUDGET) -> str:
    """The PR comment: verdict, dangers, policy failures, a row per stack, then each changed
    stack's detail folded. The detail shares what is left of `budget` fairly: a small
    stack keeps all of its rows, a large one shows its first rows and says how many more;
    a stack with no room left is dropped, and the comment names it."""
    head = [f"## platformctl diff: {verdict(stacks)}", "",
            *_danger_section(stacks, int(budget * DANGER_SHARE)),
            *_failure_section(stacks, int(budget * FAILURE_SHARE)),
            *_summary_section(stacks, costs)]
    text = "\n".join(head) + "\n"
    changed = [s for s in stacks if s.changes]
    remaining = budget - len(text) - 300 - sum(len(s.stack) + 2 for s in changed)
    blocks: dict[str, str] = {}
    cut: list[str] = []
    dropped: list[str] = []
    by_size = sorted(changed, key=lambda s: len(_stack_detail(s, budget)[0]))
    for index, stack in enumerate(by_size):
        share = remaining // (len(by_size) - index)
        if share < MIN_DETAIL:
            dropped.append(stack.stack)
            continue
        block, shown = _stack_detail(stack, share)
        if shown < len(stack.changes):
            cut.append(stack.stack)
        blocks[stack.stack] = block
        remaining -= len(block)
    text += "".join(blocks[s.stack] for s in changed if s.stack in blocks)
    limit = f"GitHub's {GITHUB_COMMENT_LIMIT:,}-character comment limit"
    if cut:
        text += (f"\nDetail cut to its first rows to stay under {limit}: "
                 f"{', '.join(sorted(cut))} (the JSON artifact of this run has every change).\n")
    if dropped:
        text += (f"\nDetail of {len(dropped)} stack(s) dropped to stay under {limit}: "
                 f"{', '.join(sorted(dropped))} (see the JSON artifact of this run).\n")
    return text
