"""`platformctl analyze --state`: a `pulumi stack export` (deployment version 3) is judged
with the same verdicts as the plan of the same program; bad files are one line, exit 2."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from platformctl.analyze import SECRET_SIG, SECRET_VALUE
from platformctl.cli import app
from platformctl.policy_runner import evaluate
from tests.plans import run_offline
from tests.policy_cases import CONFIG, PACK, STACK_CONFIG
from tests.test_policy_rules import CASES

AWS_VERSION = "7.0.0"


def _known(value: Any, where: str) -> Any:
    """A deployed state knows every value: plan unknowns become deterministic strings,
    `[secret]` becomes the encrypted envelope `pulumi stack export` writes."""
    if value == "[unknown]":
        return f"deployed-{hashlib.sha256(where.encode()).hexdigest()[:10]}"
    if value == "[secret]":
        return {SECRET_SIG: SECRET_VALUE, "ciphertext": "v1:AAAAbase64=="}
    if isinstance(value, dict):
        return {k: _known(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_known(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def export_of(plan: dict[str, Any], stack_config: dict[str, str]) -> dict[str, Any]:
    """The deployment a `pulumi up` of `plan` would leave, shaped as `pulumi stack export`
    writes it: explicit default providers, `<urn>::<id>` provider references, provider inputs
    as strings, `__defaults`, outputs next to inputs."""
    prefix = f"urn:pulumi:{plan['stack']}::{plan['project']}::"
    provider_ids = {r["urn"]: f"{i:08d}-prov" for i, r in enumerate(plan["resources"])
                    if r["type"].startswith("pulumi:providers:")}
    resources: list[dict[str, Any]] = []
    defaults: dict[str, str] = {}
    for resource in plan["resources"]:
        inputs = _known(resource["props"], resource["urn"])
        if resource["type"].startswith("pulumi:providers:"):
            inputs = {k: v if isinstance(v, str) else json.dumps(v) for k, v in inputs.items()}
        provider = resource["provider"]
        if provider is None and resource["custom"] and not resource["type"].startswith(
                ("pulumi:providers:", "pulumi:pulumi:")):
            package = resource["type"].split(":", 1)[0]
            provider = defaults.get(package)
            if provider is None:
                provider = f"{prefix}pulumi:providers:{package}::default_7_0_0"
                defaults[package] = provider
                provider_ids[provider] = f"{len(provider_ids):08d}-default"
                config = {k.split(":", 1)[1]: v for k, v in stack_config.items()
                          if k.startswith(f"{package}:")}
                resources.append({"urn": provider, "custom": True, "id": provider_ids[provider],
                                  "type": f"pulumi:providers:{package}",
                                  "inputs": {**config, "version": AWS_VERSION},
                                  "outputs": {**config, "version": AWS_VERSION}})
        entry = {"urn": resource["urn"], "custom": resource["custom"], "type": resource["type"],
                 "inputs": {**inputs, "__defaults": []} if resource["custom"] else inputs,
                 "outputs": {**inputs, "id": resource["name"], "tagsAll": {}},
                 "protect": resource["protect"], "dependencies": resource["dependencies"]}
        if resource["custom"]:
            entry["id"] = provider_ids.get(resource["urn"], f"{resource['name']}-1a2b3c4")
        if resource["parent"]:
            entry["parent"] = resource["parent"]
        if provider:
            entry["provider"] = f"{provider}::{provider_ids[provider]}"
        resources.append(entry)
    return {"version": 3, "deployment": {
        "manifest": {"time": "2026-12-01T09:00:00Z", "magic": "x", "version": "v3.200.0"},
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:x"}},
        "resources": resources}}


def _write(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def _analyze(*args: str) -> Any:
    return CliRunner().invoke(app, ["analyze", *args])


def _verdicts(violations: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return sorted((v["policy"], v["enforcement"], v["urn"]) for v in violations)


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "policy-config.json"
    path.write_text(json.dumps(CONFIG))
    return path


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.policy}:{c.message[:20]}")
def test_state_of_a_program_gets_the_verdicts_of_its_plan(case: Any, tmp_path: Path,
                                                          config_file: Path) -> None:
    plan = run_offline(case.bad, config=STACK_CONFIG).plan
    expected = evaluate(plan, PACK, CONFIG, STACK_CONFIG)
    state = _write(tmp_path, "state.json", export_of(plan, STACK_CONFIG))
    result = _analyze("--state", str(state), "--policy-config", str(config_file),
                      "--format", "json")
    assert result.exit_code == (1 if any(v["enforcement"] == "mandatory" for v in expected)
                                else 0), result.output
    found = json.loads(result.stdout)["violations"]
    assert _verdicts(found) == _verdicts(expected) != []


def test_compliant_state_exits_zero_and_pending_deletes_are_skipped(
        tmp_path: Path, config_file: Path) -> None:
    case = next(c for c in CASES if c.policy == "queue-topic-stream-encrypted")
    good = export_of(run_offline(case.good, config=STACK_CONFIG).plan, STACK_CONFIG)
    bad = export_of(run_offline(case.bad, config=STACK_CONFIG).plan, STACK_CONFIG)
    # A replaced, not yet deleted copy of the violating queue: gone once the update ends.
    deleted = [dict(r, delete=True) for r in bad["deployment"]["resources"]
               if r["type"] == "aws:sqs/queue:Queue"]
    assert deleted
    good["deployment"]["resources"] += deleted
    result = _analyze("--state", str(_write(tmp_path, "s.json", good)),
                      "--policy-config", str(config_file), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["violations"] == []


def test_regions_come_from_the_providers_in_the_state(tmp_path: Path) -> None:
    """A bucket whose (explicit) provider is in eu-west-1 is outside a US-only config; the
    same bucket under a us-east-1 provider is inside."""
    def state(region: str) -> dict[str, Any]:
        prefix = "urn:pulumi:prod::shop::"
        provider = f"{prefix}pulumi:providers:aws::main"
        return {"version": 3, "deployment": {"resources": [
            {"urn": f"{prefix}pulumi:pulumi:Stack::shop-prod", "custom": False,
             "type": "pulumi:pulumi:Stack", "outputs": {}},
            {"urn": provider, "custom": True, "id": "p1", "type": "pulumi:providers:aws",
             "inputs": {"region": region, "version": AWS_VERSION},
             "parent": f"{prefix}pulumi:pulumi:Stack::shop-prod"},
            {"urn": f"{prefix}aws:s3/bucket:Bucket::media", "custom": True, "id": "media-1",
             "type": "aws:s3/bucket:Bucket", "provider": f"{provider}::p1",
             "parent": f"{prefix}pulumi:pulumi:Stack::shop-prod",
             "inputs": {"tags": {"data-class": "user-pii", "environment": "prod"}}},
        ]}}

    config = _write(tmp_path, "cfg.json", {"residency-region-allowed": {
        "allowedRegions": ["us-east-1"]}})

    def residency(region: str) -> list[dict[str, Any]]:
        result = _analyze("--state", str(_write(tmp_path, f"{region}.json", state(region))),
                          "--policy-config", str(config), "--format", "json")
        assert result.exit_code in (0, 1), result.output
        plan = json.loads(result.stdout)
        assert {r["name"]: r["region"] for r in plan["resources"]}["media"] == region
        return [v for v in plan["violations"] if v["policy"] == "residency-region-allowed"]

    outside = residency("eu-west-1")
    assert {v["urn"].rsplit("::", 1)[-1] for v in outside} == {"media"}
    assert residency("us-east-1") == []


@pytest.mark.parametrize(("content", "message"), [
    (None, "state file not found"),
    ("{not json", "not valid JSON"),
    ({"version": 2, "deployment": {"resources": []}}, "deployment version 2, this reads "
                                                       "version 3"),
    ({"version": 3}, "no `deployment` object"),
    ({"version": 3, "deployment": {"resources": [{"type": "x"}]}}, "with `urn` and `type`"),
    ({"version": 3, "deployment": {"resources": []}}, "has no resources"),
])
def test_bad_state_is_one_line_exit_2(tmp_path: Path, content: Any, message: str) -> None:
    path = tmp_path / "state.json" if content is None else _write(tmp_path, "state.json",
                                                                  content)
    result = _analyze("--state", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("project", ["web-defaults", "compliant", "leaky-storage"])
def test_foreign_state_gets_the_ids_of_its_plan(project: str, tmp_path: Path) -> None:
    """Through the CLI both ways, with the project's own policy config."""
    import subprocess
    import sys

    directory = Path(__file__).resolve().parent / "foreign" / project
    expected = json.loads((directory / "expected.json").read_text())
    config = directory / "policy-config.json"
    planned = subprocess.run(
        [sys.executable, "-m", "platformctl", "plan", "--cwd", str(directory),
         expected["stack"], "--policy-config", str(config), "--format", "json"],
        capture_output=True, text=True, timeout=300)
    plan = json.loads(planned.stdout)
    stack_config = {"aws:region": (directory / f"Pulumi.{expected['stack']}.yaml")
                    .read_text().split("aws:region:")[1].split()[0]}
    state = _write(tmp_path, "state.json", export_of(plan, stack_config))
    result = _analyze("--state", str(state), "--policy-config", str(config), "--format",
                      "json")
    assert result.exit_code == planned.returncode, result.output
    found = json.loads(result.stdout)["violations"]
    assert _verdicts(found) == _verdicts(plan["violations"])
    assert sorted({v["policy"] for v in found if v["enforcement"] != "waived"}) == \
        expected["ids"]


def test_state_of_a_project_stack_is_judged_with_its_generated_config(tmp_path: Path) -> None:
    """Run in this project, the state of one of its stacks gets the config `plan` uses (so
    the verdicts of its golden plan); the same state under another project name does not."""
    repo = Path(__file__).resolve().parent.parent
    golden = sorted((repo / "tests" / "golden").glob("*.json"))[0]
    plan = json.loads(golden.read_text())
    region = next(r["region"] for r in plan["resources"] if r["region"])
    state = export_of(plan, {"aws:region": region})
    result = _analyze("--state", str(_write(tmp_path, "ours.json", state)), "--cwd", str(repo),
                      "--format", "json")
    assert _verdicts(json.loads(result.stdout)["violations"]) == _verdicts(plan["violations"])
    foreign = json.loads(json.dumps(state).replace(f"::{plan['project']}::", "::elsewhere::"))
    other = _analyze("--state", str(_write(tmp_path, "theirs.json", foreign)), "--cwd",
                     str(repo), "--format", "json")
    assert _verdicts(json.loads(other.stdout)["violations"]) != _verdicts(plan["violations"])
