"""`platformctl check`: each small program in tests/projects/check-cases carries one
deploy-time defect (its stack's `check-cases:defect`) and must report exactly that check;
the clean one reports nothing."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from platformctl.checks import all_checks, run_checks
from platformctl.checks.plan_view import StackPlan
from platformctl.checks.sources import plan_stacks
from platformctl.project import Project

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "projects" / "check-cases"
SINGLE_DEFECT_STACKS = ["service-not-in-region", "name-collision", "account-singleton",
                        "name-invalid",
                        "helm-chart-unresolvable", "crd-order", "certificate-never-validated",
                        "opt-in-region"]


def platformctl(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "platformctl", *args], cwd=cwd,
                          capture_output=True, text=True, env={"PYTHONPATH": str(REPO),
                                                               "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def plans() -> dict[str, StackPlan]:
    project = Project.load(CASES)
    views, failed = plan_stacks(project, project.stacks(), jobs=2)
    assert not failed, [f.error for f in failed]
    return {v.stack: v for v in views}


def ids(report) -> set[str]:
    return {f.check for f in report.findings}


# Checks that need a project with environments/ data are tested on their own below.
CHECKS_OF_OUR_PROJECTS = ["reference-across-backends"]


def test_every_check_id_has_a_case() -> None:
    assert set(all_checks()) == set(SINGLE_DEFECT_STACKS) | set(CHECKS_OF_OUR_PROJECTS)


def _referencing(stack: str, *targets: str) -> StackPlan:
    return StackPlan(plan={"stack": stack, "resources": [], "stackReferences": [
        {"name": f"ref-{t}", "stack": f"organization/p/{t}", "source": None} for t in targets]},
        directory=REPO)


def test_a_reference_to_a_stack_of_another_backend_blocks(monkeypatch) -> None:
    from platformctl.checks import reference_backend

    homes = {"global": "us", "east": "us", "west": "us", "riyadh": "sa"}
    monkeypatch.setattr(reference_backend, "_jurisdiction", lambda _dir, stack: homes[stack])
    report = run_checks([_referencing("global", "east", "riyadh"), _referencing("west", "east")])
    found = [f for f in report.findings if f.check == "reference-across-backends"]
    assert len(found) == 1 and report.blocking
    assert found[0].message.startswith("global: StackReference ref-riyadh reads riyadh")
    assert "`sa` backend" in found[0].message and "\n" not in found[0].message


def test_references_of_a_project_without_environments_are_listed_as_not_checked() -> None:
    view = StackPlan(plan=_referencing("app", "network").plan, directory=CASES)
    report = run_checks([view])
    assert not [f for f in report.findings if f.check == "reference-across-backends"]
    assert [u.reason for u in report.unchecked if u.check == "reference-across-backends"] == [
        "app: no environments/ data says which backend its referenced stacks use"]


def test_clean_program_reports_nothing(plans: dict[str, StackPlan]) -> None:
    report = run_checks([plans["clean"]])
    assert report.findings == [] and not report.blocking


@pytest.mark.parametrize("stack", SINGLE_DEFECT_STACKS)
def test_one_defect_reports_exactly_its_check(plans: dict[str, StackPlan], stack: str) -> None:
    report = run_checks([plans[stack]])
    assert ids(report) == {stack}
    assert report.blocking == (stack != "opt-in-region")  # opt-in is information only
    for finding in report.findings:
        assert "\n" not in finding.message and finding.message.startswith(f"{stack}:")
        assert finding.urn is None or finding.urn.startswith(f"urn:pulumi:{stack}::")


def test_fixed_name_collides_across_stacks_that_share_an_account(
        plans: dict[str, StackPlan]) -> None:
    a, b = plans["shared-name-a"], plans["shared-name-b"]
    assert run_checks([a]).findings == [] and run_checks([b]).findings == []
    together = run_checks([a, b])
    assert ids(together) == {"name-collision"}
    assert {f.urn.split("::")[0] for f in together.findings} == {
        "urn:pulumi:shared-name-a", "urn:pulumi:shared-name-b"}
    assert "site-oac" in together.findings[0].message


def _only_detector(view: StackPlan, stack: str, account: str | None) -> StackPlan:
    """`view`'s first GuardDuty detector alone, as stack `stack` in `account`."""
    plan = copy.deepcopy(view.plan)
    detector = next(r for r in plan["resources"]
                    if r["type"] == "aws:guardduty/detector:Detector")
    detector["urn"] = detector["urn"].replace("urn:pulumi:account-singleton", f"urn:pulumi:{stack}")
    plan.update(stack=stack, resources=[detector])
    return StackPlan(plan=plan, config_accounts=(account,) if account else None)


def test_one_detector_per_account_and_region_across_stacks(plans: dict[str, StackPlan]) -> None:
    source = plans["account-singleton"]
    a, b = (_only_detector(source, s, "111111111111") for s in ("a", "b"))
    assert run_checks([a]).findings == []
    together = run_checks([a, b])
    assert ids(together) == {"account-singleton"} and len(together.findings) == 2
    assert "once per account and region (us-east-1)" in together.findings[0].message
    elsewhere = _only_detector(source, "c", "222222222222")
    assert run_checks([a, elsewhere]).findings == []
    other_region = copy.deepcopy(b.plan)
    other_region["resources"][0]["region"] = "us-west-2"
    assert run_checks([a, StackPlan(plan=other_region, config_accounts=b.config_accounts)]
                      ).findings == []


def test_stacks_in_different_accounts_do_not_collide(plans: dict[str, StackPlan]) -> None:
    assert run_checks([plans["shared-name-a"], plans["shared-name-other-account"]]).findings == []


def test_stacks_without_account_ids_are_taken_to_share_one(plans: dict[str, StackPlan]) -> None:
    anonymous = StackPlan(plan=plans["shared-name-other-account"].plan)
    assert ids(run_checks([plans["shared-name-a"], anonymous])) == {"name-collision"}


def _edited(view: StackPlan, type_: str, **props: object) -> StackPlan:
    plan = copy.deepcopy(view.plan)
    for resource in plan["resources"]:
        if resource["type"] == type_:
            for key, value in props.items():
                if key == "region":
                    resource["region"] = value
                else:
                    resource["props"][key] = value
    return StackPlan(plan=plan, config_accounts=view.config_accounts)


@pytest.mark.parametrize("stack,type_,props,check", [
    ("name-invalid", "aws:sqs/queue:Queue", {"name": "[unknown]"}, "name-invalid"),
    ("name-collision", "aws:iam/role:Role", {"name": "[unknown]"}, "name-invalid"),
    ("name-collision", "aws:iam/role:Role", {"name": "[unknown]"}, "name-collision"),
    ("helm-chart-unresolvable", "kubernetes:helm.sh/v3:Release",
     {"repositoryOpts": {"repo": "[unknown]"}}, "helm-chart-unresolvable"),
    ("service-not-in-region", "aws:devicefarm/project:Project", {"region": "[unknown]"},
     "service-not-in-region"),
    ("certificate-never-validated", "aws:acm/certificate:Certificate",
     {"validationMethod": "[unknown]"}, "certificate-never-validated"),
])
def test_unknown_values_are_neither_findings_nor_silently_clean(
        plans: dict[str, StackPlan], stack: str, type_: str, props: dict, check: str) -> None:
    report = run_checks([_edited(plans[stack], type_, **props)])
    assert check not in ids(report)
    assert any(u.check == check and "unknown" in u.reason for u in report.unchecked)


def test_global_region_is_not_judged_by_region(plans: dict[str, StackPlan]) -> None:
    view = _edited(plans["service-not-in-region"], "aws:devicefarm/project:Project",
                   region="global")
    assert "service-not-in-region" not in ids(run_checks([view]))


def test_custom_resource_without_its_crd_in_the_program_is_listed_unchecked(
        plans: dict[str, StackPlan]) -> None:
    plan = copy.deepcopy(plans["crd-order"].plan)
    plan["resources"] = [r for r in plan["resources"]
                         if r["type"] != "kubernetes:helm.sh/v3:Release"]
    report = run_checks([StackPlan(plan=plan)])
    assert "crd-order" not in ids(report)
    assert {u.urn.rsplit("::", 1)[-1] for u in report.unchecked if u.check == "crd-order"} == {
        "node-pool", "node-class"}


# --- the command ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_files(plans: dict[str, StackPlan], tmp_path_factory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("plans")
    files = {}
    for stack in ("clean", "crd-order"):
        files[stack] = directory / f"{stack}.json"
        files[stack].write_text(json.dumps(plans[stack].plan))
    return files


def test_json_output_and_exit_code_of_a_blocking_finding(plan_files: dict[str, Path]) -> None:
    result = platformctl("check", "--plan", str(plan_files["crd-order"]), "--format", "json")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["check"], f["severity"]) for f in findings] == [("crd-order", "error")]
    assert set(findings[0]) == {"check", "urn", "message", "severity"}


def test_clean_plan_exits_zero_in_every_format(plan_files: dict[str, Path]) -> None:
    for output_format in ("text", "json", "markdown", "sarif"):
        result = platformctl("check", "--plan", str(plan_files["clean"]), "-f", output_format)
        assert result.returncode == 0, (output_format, result.stdout, result.stderr)
    assert "nothing blocking" in platformctl("check", "--plan", str(plan_files["clean"])).stdout


def test_sarif_and_markdown_carry_the_finding(plan_files: dict[str, Path]) -> None:
    sarif = json.loads(platformctl("check", "--plan", str(plan_files["crd-order"]),
                                   "-f", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    rules = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert [(r["ruleId"], r["level"]) for r in results] == [("crd-order", "error")]
    assert rules[results[0]["ruleIndex"]] == "crd-order"
    markdown = platformctl("check", "--plan", str(plan_files["crd-order"]), "-f", "markdown")
    assert "| error | `crd-order` |" in markdown.stdout


@pytest.mark.parametrize("args,says", [
    (["check"], "give STACK..., --all or --plan FILE"),
    (["check", "clean", "--all"], "give STACK..., --all or --plan FILE"),
    (["check", "--plan", "/nonexistent/plan.json"], "cannot read it"),
    (["check", "clean", "--cwd", "/nonexistent"], "no Pulumi.yaml"),
])
def test_bad_input_is_one_line_and_exit_two(args: list[str], says: str) -> None:
    result = platformctl(*args)
    assert result.returncode == 2
    assert says in result.stderr and "Traceback" not in result.stderr


def test_a_plan_file_that_is_not_a_plan_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"stack": "x"}')
    result = platformctl("check", "--plan", str(path))
    assert result.returncode == 2 and "no 'resources' list" in result.stderr


def test_check_plans_a_foreign_program_with_cwd() -> None:
    result = platformctl("check", "helm-chart-unresolvable", "--cwd", str(CASES), "-f", "json")
    assert result.returncode == 1, result.stderr
    assert {f["check"] for f in json.loads(result.stdout)["findings"]} == {
        "helm-chart-unresolvable"}


def test_validation_waiting_on_a_record_built_from_plain_values_is_answered(
        plans: dict[str, StackPlan]) -> None:
    """Records created inside an apply name no certificate; the validation waiting on them
    is enough to know the program answers the certificate."""
    plan = copy.deepcopy(plans["certificate-never-validated"].plan)
    record = next(r["urn"] for r in plan["resources"] if r["name"] == "cert-record")
    for resource in plan["resources"]:
        if resource["name"] == "api-cert-validation":
            resource["dependencies"].append(record)
    assert run_checks([StackPlan(plan=plan)]).findings == []
