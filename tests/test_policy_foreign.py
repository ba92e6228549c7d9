"""Foreign programs (outside this toolkit's layout, with their own policy config) planned
through the CLI: each reports exactly the expected policy ids; the compliant one none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FOREIGN = Path(__file__).resolve().parent / "foreign"
PROJECTS = sorted(p.name for p in FOREIGN.iterdir() if (p / "Pulumi.yaml").is_file())
PLATFORMCTL = [sys.executable, "-c", "from platformctl.cli import main; main()"]


def _plan(project: str, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    directory = FOREIGN / project
    expected = json.loads((directory / "expected.json").read_text())
    result = subprocess.run(
        [*PLATFORMCTL, "plan", "--cwd", str(directory), expected["stack"],
         "--policy-config", str(directory / "policy-config.json"), *extra],
        capture_output=True, text=True, timeout=120)
    return result, expected


def test_there_are_violating_and_compliant_projects() -> None:
    assert len(PROJECTS) >= 4 and "compliant" in PROJECTS


@pytest.mark.parametrize("project", PROJECTS)
def test_foreign_project_reports_expected_policy_ids(project: str) -> None:
    result, expected = _plan(project, "--format", "json")
    assert "traceback" not in result.stderr.lower(), result.stderr
    assert "error" not in result.stderr.lower(), result.stderr
    plan = json.loads(result.stdout)
    enforced = [v for v in plan["violations"] if v["enforcement"] != "waived"]
    assert sorted({v["policy"] for v in enforced}) == expected["ids"], \
        json.dumps(enforced, indent=1)
    mandatory = any(v["enforcement"] == "mandatory" for v in enforced)
    assert result.returncode == (1 if mandatory else 0)
    assert result.returncode == (1 if expected["ids"] else 0)


def test_sarif_output_lists_rules_and_results() -> None:
    result, expected = _plan("leaky-storage", "--format", "sarif")
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "residency-region-allowed" in rule_ids and len(rule_ids) >= 17
    assert sorted({r["ruleId"] for r in run["results"]}) == expected["ids"]
    assert {r["level"] for r in run["results"]} == {"error"}
    for r in run["results"]:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]


def test_policy_pack_none_skips_policies() -> None:
    directory = FOREIGN / "leaky-storage"
    result = subprocess.run([*PLATFORMCTL, "plan", "--cwd", str(directory), "ksa",
                             "--policy-pack", "none", "--format", "json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["violations"] == []


def test_bad_policy_config_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "cfg.json"
    bad.write_text('{"no-such-policy": "mandatory"}')
    directory = FOREIGN / "compliant"
    result = subprocess.run([*PLATFORMCTL, "plan", "--cwd", str(directory), "prod",
                             "--policy-config", str(bad)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "no-such-policy is not a policy" in result.stderr
