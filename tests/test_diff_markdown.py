"""The pull-request comment: verdict first, dangers and failures before the detail, and
under GitHub's comment limit however many stacks change."""

from __future__ import annotations

from typing import Any

from platformctl.diff import diff_plans
from platformctl.diff_render import GITHUB_COMMENT_LIMIT, render_markdown, verdict


def _plan(stack: str, count: int, *, protect: bool = False, failing: bool = False,
          type_: str = "aws:s3/bucket:Bucket") -> dict[str, Any]:
    resources = [{"urn": f"urn:pulumi:{stack}::p::{type_}::bucket-{i}-with-a-long"
                         "-logical-name-for-realism", "type": type_,
                  "name": f"bucket-{i}", "custom": True, "protect": protect,
                  "region": "us-east-1", "provider": "p", "dependencies": [],
                  "ignoreChanges": [], "props": {"tags": {"data-class": "user-pii"}}}
                 for i in range(count)]
    violations = [{"enforcement": "mandatory", "policy": "s3-encryption-kms",
                   "urn": f"urn:pulumi:{stack}::p::aws:s3/bucket:Bucket::new-{i}",
                   "message": "bucket is not encrypted with a customer key"}
                  for i in range(3)] if failing else []
    return {"stack": stack, "resources": resources, "violations": violations}


def test_thirty_busy_stacks_fit_one_comment_and_say_what_was_dropped() -> None:
    stacks = [f"prod-{i:02d}-region-{i}" for i in range(30)]
    base = {s: _plan(s, 300, protect=True) for s in stacks}
    head = {s: _plan(s, 0, failing=True) for s in stacks}  # every bucket deleted
    diffs = diff_plans(base, head)
    text = render_markdown(diffs, {s: {"base": 10.0, "head": 0.0, "delta": -10.0,
                                       "unpriced": []} for s in stacks})
    assert len(text) < GITHUB_COMMENT_LIMIT
    assert text.splitlines()[0] == f"## platformctl diff: {verdict(diffs)}"
    assert verdict(diffs).startswith("REVIEW NEEDED")
    assert text.index("### Dangerous changes") < text.index("### Mandatory policy failures")
    assert text.index("### Mandatory policy failures") < text.index("### Stacks")
    assert "more dangers not shown" in text
    assert "Detail cut to its first rows to stay under GitHub's" in text
    for stack in stacks:  # every stack keeps its summary row and some detail
        assert f"| {stack} | changed |" in text
        assert f"<details><summary>{stack}: 300 delete</summary>" in text
    assert text.count("more changes of this stack not shown") == 30


def test_small_diff_keeps_every_detail() -> None:
    base = {"a": _plan("a", 2), "b": _plan("b", 1)}
    head = {"a": _plan("a", 1), "b": _plan("b", 1)}
    text = render_markdown(diff_plans(base, head))
    assert "<details><summary>a: 1 delete</summary>" in text
    assert "dropped" not in text and "<summary>b" not in text  # unchanged stacks fold away
    assert "### Dangerous changes" in text  # a user-data bucket deleted


def test_a_tight_budget_cuts_the_largest_detail_and_keeps_the_small_one_whole() -> None:
    alarm = "aws:cloudwatch/metricAlarm:MetricAlarm"  # holds no data: no danger rows to cut first
    base = {"big": _plan("big", 40, type_=alarm), "small": _plan("small", 2, type_=alarm)}
    head = {"big": _plan("big", 0, type_=alarm), "small": _plan("small", 0, type_=alarm)}
    diffs = diff_plans(base, head)
    full = render_markdown(diffs)
    assert "cut" not in full and "dropped" not in full
    budget = len(full) - 1000
    text = render_markdown(diffs, budget=budget)
    assert len(text) <= budget
    assert text.count("bucket-0-with") == 2 and text.count("bucket-1-with") == 2
    assert "more changes of this stack not shown" in text
    assert "first rows to stay under GitHub's 65,536-character comment limit: big" in text
    tiny = render_markdown(diffs, budget=len(full) - len(full) // 2 - 1500)
    assert "dropped to stay under" in tiny


def test_a_removed_stack_is_not_reported_as_deleting_its_resources() -> None:
    diffs = diff_plans({"old": _plan("old", 3, protect=True), "kept": _plan("kept", 1)},
                       {"kept": _plan("kept", 1)})
    removed = next(s for s in diffs if s.stack == "old")
    assert removed.status == "removed" and removed.changes == []
    assert verdict(diffs).startswith("REVIEW NEEDED: 1 stack removed")
    assert "stay deployed" in render_markdown(diffs)
