"""The `platformctl` command line."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from platformctl.errors import PlanInputError, ProgramError

# Commands import what they use in their bodies: `--help` and every other command load only
# their own modules (the plan engine, worker pool and renderers cost a command that has no
# use for them; benchmarks/README.md).
if TYPE_CHECKING:
    from platformctl.worker import PlanRequest, PlanResult

EXIT_OK, EXIT_POLICY, EXIT_INPUT = 0, 1, 2

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Offline plans and policy verdicts for Pulumi Python projects.")
stderr = Console(stderr=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"


def fail(message: str) -> typer.Exit:
    stderr.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_INPUT)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            installed = version("course-platform-infra")
        except PackageNotFoundError:
            installed = "unknown (not installed)"
        sys.stdout.write(f"platformctl {installed}\n")
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[bool, typer.Option("--version", callback=_print_version,
                                           is_eager=True, help="Print the version.")] = False,
) -> None:
    """platformctl: plan stacks offline, with no cloud credentials and no Pulumi CLI."""


@app.command()
def plan(
    stack: Annotated[str | None, typer.Argument(help="Stack to plan, e.g. prod-us-east-1.")] = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Plan every stack with a "
                                             "Pulumi.<stack>.yaml.")] = False,
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.text,
    cwd: Annotated[Path, typer.Option("--cwd", help="Pulumi project directory.")] = Path("."),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Stacks planned at once.")]
    = max(1, os.cpu_count() or 1),
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of program "
                                        "errors.")] = False,
    policy_pack: Annotated[str | None, typer.Option(
        "--policy-pack", help="Policy pack directory to evaluate (default: this toolkit's "
        "policies/), or 'none' to skip policies.")] = None,
    policy_config: Annotated[Path | None, typer.Option(
        "--policy-config", help="Policy config JSON in the --policy-pack-config format "
        "(default: generated from environments/ for this project's stacks).")] = None,
    stack_reference: Annotated[list[str] | None, typer.Option(
        "--stack-reference", help="NAME=FILE.json: outputs of the stack a StackReference "
        "names (a plan JSON, or a JSON object of outputs); repeatable. Unnamed references "
        "have unknown outputs.")] = None,
) -> None:
    """Run the program under Pulumi's mock runtime, as a preview, and print what it would
    create. Exit 0 passes (or policies not evaluated), 1 blocked by policy, 2 bad input or a
    failed plan, 3 incomplete (multi-language components the offline engine cannot see)."""
    from platformctl.project import Project
    from platformctl.render import render_json, render_markdown, render_sarif, render_text
    from platformctl.stack_references import read_stack_references
    from platformctl.verdict import exit_code
    from platformctl.worker import PlanRequest

    if (stack is None) == (not all_stacks):
        raise fail("give a STACK or --all, not both or neither")
    try:
        references, sources = read_stack_references(stack_reference or [])
    except PlanInputError as error:
        raise fail(str(error)) from None
    try:
        project = Project.load(cwd)
    except PlanInputError as error:
        raise fail(str(error)) from None
    stacks = project.stacks() if all_stacks else [stack]
    if not stacks:
        raise fail(f"{project.stack_config_dir}: no Pulumi.<stack>.yaml files; add one or "
                   "name a STACK")
    try:
        pack_dir, pack_config = _policy_options(policy_pack, policy_config)
    except (PlanInputError, ProgramError) as error:
        raise fail(str(error)) from None
    requests = [PlanRequest(directory=project.directory, stack=s, debug=debug,
                            policy_pack=pack_dir, policy_config=pack_config,
                            stack_references=references, reference_sources=sources)
                for s in stacks]
    results = _run(requests, jobs, show_progress=all_stacks and stderr.is_terminal)

    failed = [r for r in results if not r.ok]
    for result in failed:
        prefix = f"{result.stack}: " if all_stacks else ""
        stderr.print(f"[red]error:[/red] {prefix}{result.error}", highlight=False, soft_wrap=True)
        if result.detail:
            stderr.print(result.detail, highlight=False)
    plans = [r.plan for r in results if r.plan is not None]
    failures = [(r.stack, r.error or "plan failed") for r in failed]
    if not plans and not all_stacks:
        # One stack that could not be planned: the one line on stderr is the whole report.
        raise typer.Exit(EXIT_INPUT)
    if output_format is OutputFormat.json:
        sys.stdout.write(render_json(plans, failures))
    elif output_format is OutputFormat.markdown:
        sys.stdout.write(render_markdown(plans, failures))
    elif output_format is OutputFormat.sarif:
        sys.stdout.write(render_sarif(plans, failures))
    else:
        render_text(plans, Console(), failures)
    code = exit_code([r.verdict for r in results])
    if code:
        raise typer.Exit(code)


def _policy_options(pack: str | None, config: Path | None) -> tuple[Path | None, dict | None]:
    """(pack directory or None for 'none', config dict or None for the generated one)."""
    from platformctl.policy_runner import DEFAULT_PACK_DIR, load_pack, read_config

    if pack is not None and pack.lower() == "none":
        if config is not None:
            raise PlanInputError("--policy-config needs a policy pack; drop --policy-pack none")
        return None, None
    directory = Path(pack).resolve() if pack is not None else DEFAULT_PACK_DIR
    load_pack(directory)  # a bad pack is bad input: report it once, before planning
    return directory, (read_config(config) if config is not None else None)


@app.command("analyze")
def analyze_command(
    state: Annotated[Path, typer.Option("--state", help="A `pulumi stack export` file "
                                        "(deployment version 3).")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.text,
    policy_pack: Annotated[str | None, typer.Option(
        "--policy-pack", help="Policy pack directory (default: this toolkit's policies/).")]
    = None,
    policy_config: Annotated[Path | None, typer.Option(
        "--policy-config", help="Policy config JSON in the --policy-pack-config format "
        "(default: generated from environments/ when the state is a stack of the project in "
        "--cwd, else the schema defaults).")] = None,
    cwd: Annotated[Path, typer.Option("--cwd", help="Pulumi project directory.")] = Path("."),
) -> None:
    """Judge a deployed stack offline: the policy pack on its `pulumi stack export`."""
    from platformctl.analyze import analyze_state
    from platformctl.render import render_json, render_markdown, render_sarif, render_text

    try:
        pack_dir, pack_config = _policy_options(policy_pack, policy_config)
        plan = analyze_state(state, pack_dir, pack_config, cwd.resolve())
    except (PlanInputError, ProgramError) as error:
        raise fail(str(error)) from None
    if output_format is OutputFormat.json:
        sys.stdout.write(render_json([plan]))
    elif output_format is OutputFormat.markdown:
        sys.stdout.write(render_markdown([plan]))
    elif output_format is OutputFormat.sarif:
        sys.stdout.write(render_sarif([plan]))
    else:
        render_text([plan], Console())
    if any(v["enforcement"] == "mandatory" for v in plan["violations"]):
        raise typer.Exit(EXIT_POLICY)


@app.command("policy-config")
def policy_config_command(
    stack: Annotated[str, typer.Argument(help="Stack of this project, e.g. prod-me-south-1.")],
    cwd: Annotated[Path, typer.Option("--cwd", help="Pulumi project directory.")] = Path("."),
    policy_pack: Annotated[Path | None, typer.Option(
        "--policy-pack", help="Policy pack directory (default: this toolkit's policies/).")]
    = None,
) -> None:
    """Print the --policy-pack-config JSON of STACK, written from environments/."""
    import json

    from platformctl.policy_config import config_for, has_environments, shared_settings
    from platformctl.policy_runner import DEFAULT_PACK_DIR, load_pack

    directory = cwd.resolve()
    if not has_environments(directory):
        raise fail(f"{directory}: no environments/ loader; policy-config writes the config of "
                   "this toolkit's stacks (pass --cwd to the project)")
    try:
        pack = load_pack(policy_pack or DEFAULT_PACK_DIR)
        config = config_for(pack, shared_settings(directory, stack))
    except (PlanInputError, ProgramError) as error:
        raise fail(str(error)) from None
    sys.stdout.write(json.dumps(config, indent=2, sort_keys=True) + "\n")


@app.command("new-stack")
def new_stack_command(
    blueprint: Annotated[str, typer.Argument(help="Blueprint id, e.g. coursebundler.")],
    env: Annotated[str, typer.Argument(help="Environment (a profile), e.g. prod.")],
    region: Annotated[str, typer.Argument(help="AWS region, e.g. ap-southeast-1.")],
    az_count: Annotated[int | None, typer.Option(
        "--az-count", help="AZs of a new region (default: 3, or fewer if it has fewer).")]
    = None,
    jurisdiction: Annotated[str | None, typer.Option(
        "--jurisdiction", help="Jurisdiction of a new region (a key of jurisdictions.yaml).")]
    = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the changes, write "
                                          "nothing.")] = False,
    widen_jurisdiction: Annotated[bool, typer.Option(
        "--widen-jurisdiction", help="Allow adding REGION to an existing jurisdiction's "
        "regions (its restricted data may then live there).")] = False,
    environments_dir: Annotated[Path | None, typer.Option(
        "--environments", help="environments/ directory to edit (default: this toolkit's).")]
    = None,
) -> None:
    """Write and validate the config of a new <blueprint>-<env>-<region> stack (CIDR,
    jurisdiction, AZs); its blueprint settings go under platform:settings."""
    from rich.syntax import Syntax

    from environments.loader import DATA_DIR
    from platformctl.new_stack import NewStackError, plan_new_stack, write_changes

    try:
        result = plan_new_stack(environments_dir or DATA_DIR, env, region, az_count=az_count,
                                jurisdiction=jurisdiction, blueprint=blueprint,
                                widen_jurisdiction=widen_jurisdiction)
        if not dry_run:
            write_changes(result)
    except (NewStackError, OSError) as error:
        raise fail(str(error)) from None
    out = Console()
    verb = "would write" if dry_run else "wrote"
    for change in result.changes:
        out.print(f"[bold]{verb}[/bold] {change.label}: {change.summary}", highlight=False,
                  soft_wrap=True)
        out.print(Syntax(change.added_text, "yaml", background_color="default"))
    spec = result.spec
    out.print(f"{result.stack}: jurisdiction {spec.jurisdiction_name}, VPC {spec.vpc_cidr}, "
              f"AZs {', '.join(spec.availability_zones)} (validated)", highlight=False,
              soft_wrap=True)
    for note in result.notes:
        out.print(f"[yellow]note:[/yellow] {note}", highlight=False, soft_wrap=True)
    out.print("[bold]next:[/bold]" + (" (dry run: nothing written)" if dry_run else ""))
    for step in (f"platformctl plan {result.stack}",
                 "REFRESH_GOLDEN_PLANS=1 python -m pytest tests/test_golden_plans.py  "
                 f"# review and commit tests/golden/{result.stack}.json",
                 "python -m platformctl.docs --write  # the README's stack table"):
        out.print(f"  {step}", highlight=False, markup=False, soft_wrap=True)


class TextOrJson(StrEnum):
    """--format of the commands that print text or JSON."""

    text = "text"
    json = "json"


@app.command("audit")
def audit_command(
    jurisdiction: Annotated[str, typer.Argument(help="A key of jurisdictions.yaml, e.g. us.")],
    regions: Annotated[str | None, typer.Option(
        "--regions", help="Comma-separated regions to scan, any the account has enabled "
        "(default: every region enabled for the account, from ec2:DescribeRegions).")] = None,
    output_format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
    endpoint_url: Annotated[str | None, typer.Option(
        "--endpoint-url", help="Send every AWS call here (e.g. a moto server).")] = None,
) -> None:
    """Live residency audit (boto3, read-only): restricted data stores outside JURISDICTION."""
    from environments.errors import SpecError
    from environments.loader import EnvironmentData
    from platformctl.audit import (
        AuditError,
        AuditInputError,
        audit,
        client_factory,
        default_home_region,
        render_text_report,
    )

    try:
        data = EnvironmentData()
    except SpecError as error:
        raise fail(str(error)) from None
    if jurisdiction not in data.jurisdictions:
        raise fail(f"environments/jurisdictions.yaml: no jurisdiction '{jurisdiction}'; use "
                   f"one of {', '.join(sorted(data.jurisdictions))}")
    scan = [r.strip() for r in regions.split(",") if r.strip()] if regions is not None \
        else None
    if scan == []:
        raise fail("--regions: empty; name at least one region, or leave the option out to "
                   "scan every enabled region")
    try:
        result = audit(jurisdiction, data.jurisdictions[jurisdiction].regions, scan,
                       client_factory(endpoint_url), default_home_region())
    except (AuditError, AuditInputError) as error:
        raise fail(str(error)) from None
    if output_format is TextOrJson.json:
        sys.stdout.write(result.to_json())
    else:
        render_text_report(result, Console())
    if result.findings:
        raise typer.Exit(EXIT_POLICY)


def _jurisdiction_regions(jurisdiction: str | None = None) -> dict[str, list[str]]:
    """jurisdiction -> its regions, from environments/ (one line when it is bad or when
    `jurisdiction` is not one of them)."""
    from environments.errors import SpecError
    from environments.loader import EnvironmentData

    try:
        data = EnvironmentData()
    except SpecError as error:
        raise fail(str(error)) from None
    if jurisdiction is not None and jurisdiction not in data.jurisdictions:
        raise fail(f"environments/jurisdictions.yaml: no jurisdiction '{jurisdiction}'; use "
                   f"one of {', '.join(sorted(data.jurisdictions))}")
    return {name: list(j.regions) for name, j in data.jurisdictions.items()}


@app.command("bootstrap-state")
def bootstrap_state_command(
    jurisdiction: Annotated[str, typer.Argument(help="A key of jurisdictions.yaml, e.g. sa.")],
    region: Annotated[str | None, typer.Option(
        "--region", help="Region of the backend, one of the jurisdiction's (default: its "
        "first).")] = None,
    profile: Annotated[str | None, typer.Option(
        "--profile", help="AWS profile (default: the usual credential chain).")] = None,
    endpoint_url: Annotated[str | None, typer.Option(
        "--endpoint-url", help="Send every AWS call here (e.g. a moto server).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and report, create "
                                          "nothing.")] = False,
) -> None:
    """Create (or confirm) JURISDICTION's Pulumi state bucket and KMS secrets key (boto3)."""
    from platformctl.docs import REPO
    from platformctl.state_backend import (
        StateBackendError,
        bootstrap,
        render_outcome,
        session_factory,
        shipped_stack_jurisdictions,
    )

    regions = _jurisdiction_regions(jurisdiction)
    try:
        stacks = [s for s, j in shipped_stack_jurisdictions(REPO).items() if j == jurisdiction]
        outcome = bootstrap(jurisdiction, regions[jurisdiction], region,
                            session_factory(profile, endpoint_url), dry_run=dry_run)
    except (StateBackendError, PlanInputError) as error:
        raise fail(str(error)) from None
    render_outcome(outcome, stacks, profile, Console())
    if outcome.findings:
        raise typer.Exit(EXIT_POLICY)


@app.command("state-backends")
def state_backends_command(
    account: Annotated[str | None, typer.Option(
        "--account", help="Account id: print the names offline, without checking that they "
        "exist (default: the caller's account, checked with boto3).")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="AWS profile.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(
        "--endpoint-url", help="Send every AWS call here (e.g. a moto server).")] = None,
    output_format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
) -> None:
    """Print the state backend and secrets provider each shipped stack's jurisdiction uses."""
    from platformctl.docs import REPO
    from platformctl.state_backend import (
        StateBackendError,
        render_stack_backends,
        session_factory,
        shipped_stack_jurisdictions,
        stack_backends,
        stack_backends_json,
    )

    if account is not None and not (account.isdigit() and len(account) == 12):
        raise fail(f"--account: '{account}' is not a 12-digit AWS account id")
    regions = _jurisdiction_regions()
    try:
        client = session_factory(profile, endpoint_url)
        rows = stack_backends(shipped_stack_jurisdictions(REPO), regions, client, account)
    except (StateBackendError, PlanInputError) as error:
        raise fail(str(error)) from None
    if output_format is TextOrJson.json:
        sys.stdout.write(stack_backends_json(rows, profile))
    else:
        render_stack_backends(rows, profile, Console())


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command("diff")
def diff_command(
    base: Annotated[Path, typer.Argument(help="Plan JSON of the base (file, or directory of "
                                         "one file per stack).")],
    head: Annotated[Path, typer.Argument(help="Plan JSON of the head, the same way.")],
    output_format: Annotated[DiffFormat, typer.Option("--format", "-f")] = DiffFormat.text,
    usage: Annotated[Path | None, typer.Option(
        "--usage", help="Usage assumptions YAML for the cost delta (default: the documented "
        "defaults).")] = None,
) -> None:
    """What HEAD changes against BASE: create/update/replace/delete, dangers, cost delta."""
    from platformctl import diff_render
    from platformctl.cost import CostError, cost_delta
    from platformctl.diff import diff_plans, has_dangers, load_plans

    try:
        base_plans, head_plans = load_plans(base), load_plans(head)
        costs = cost_delta(base_plans, head_plans, usage)
    except (PlanInputError, CostError) as error:
        raise fail(str(error)) from None
    stacks = diff_plans(base_plans, head_plans)
    render = {DiffFormat.json: diff_render.render_json, DiffFormat.text: diff_render.render_text,
              DiffFormat.markdown: diff_render.render_markdown}[output_format]
    sys.stdout.write(render(stacks, costs))
    if has_dangers(stacks) or any(s.head_failures for s in stacks):
        raise typer.Exit(EXIT_POLICY)


@app.command("cost")
def cost_command(
    stacks: Annotated[list[str] | None, typer.Argument(help="Stacks to price, e.g. "
                                                       "prod-us-east-1.")] = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Price every stack with a "
                                             "Pulumi.<stack>.yaml.")] = False,
    plans: Annotated[Path | None, typer.Option(
        "--plans", help="Price these plan JSON files (a file or a directory) instead of "
        "planning.")] = None,
    usage: Annotated[Path | None, typer.Option(
        "--usage", help="Usage assumptions YAML (default: the documented defaults).")] = None,
    output_format: Annotated[DiffFormat, typer.Option("--format", "-f")] = DiffFormat.text,
    cwd: Annotated[Path, typer.Option("--cwd", help="Pulumi project directory.")] = Path("."),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Stacks planned at once.")]
    = max(1, os.cpu_count() or 1),
) -> None:
    """Monthly cost estimate per stack at list prices, from its plan and usage assumptions."""
    from platformctl.cost import CostError, estimate, usage_from
    from platformctl.cost import render as cost_render
    from platformctl.diff import load_plans
    from platformctl.project import Project
    from platformctl.worker import PlanRequest

    if sum((bool(stacks), all_stacks, plans is not None)) != 1:
        raise fail("give STACK names, --all or --plans PATH (one of them)")
    try:
        assumptions = usage_from(usage)
        if plans is not None:
            planned = list(load_plans(plans).values())
        else:
            project = Project.load(cwd)
            names = project.stacks() if all_stacks else list(stacks or [])
            if not names:
                raise PlanInputError(f"{project.stack_config_dir}: no Pulumi.<stack>.yaml files")
            results = _run([PlanRequest(directory=project.directory, stack=s, debug=False,
                                        policy_pack=None, policy_config=None) for s in names],
                           jobs, show_progress=all_stacks and stderr.is_terminal)
            for failed in (r for r in results if not r.ok):
                raise PlanInputError(f"{failed.stack}: {failed.error}")
            planned = [r.plan for r in results if r.plan is not None]
    except (PlanInputError, CostError) as error:
        raise fail(str(error)) from None
    estimates = [estimate(p, assumptions) for p in planned]
    render = {DiffFormat.json: cost_render.render_json, DiffFormat.text: cost_render.render_text,
              DiffFormat.markdown: cost_render.render_markdown}[output_format]
    sys.stdout.write(render(estimates))


class GraphFormat(StrEnum):
    mermaid = "mermaid"


@app.command("graph")
def graph_command(
    stack: Annotated[str | None, typer.Argument(help="Stack to draw, e.g. prod-us-east-1.")]
    = None,
    plans: Annotated[Path | None, typer.Option(
        "--plans", help="Draw this plan JSON file (one stack) instead of planning.")] = None,
    output_format: Annotated[GraphFormat, typer.Option("--format", "-f")] = GraphFormat.mermaid,
    cwd: Annotated[Path, typer.Option("--cwd", help="Pulumi project directory.")] = Path("."),
) -> None:
    """A Mermaid diagram of a stack: components by region, what uses what, replication,
    stack references."""
    from platformctl.diff import load_plans
    from platformctl.graph import render_mermaid
    from platformctl.project import Project
    from platformctl.worker import PlanRequest

    if (stack is None) == (plans is None):
        raise fail("give a STACK or --plans FILE, not both or neither")
    try:
        if plans is not None:
            found = list(load_plans(plans).values())
            if len(found) != 1:
                raise PlanInputError(f"{plans}: holds {len(found)} plans; graph draws one "
                                     "stack (give one plan file)")
            planned = found[0]
        else:
            (result,) = _run([PlanRequest(directory=Project.load(cwd).directory, stack=stack,
                                          debug=False, policy_pack=None, policy_config=None)],
                             1, show_progress=False)
            if result.plan is None:
                raise PlanInputError(f"{stack}: {result.error}")
            planned = result.plan
    except PlanInputError as error:
        raise fail(str(error)) from None
    sys.stdout.write(render_mermaid(planned))


@app.command("check")
def check_command(
    stacks: Annotated[list[str] | None, typer.Argument(help="Stacks to plan and check.")] = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Check every stack with a "
                                             "Pulumi.<stack>.yaml, together.")] = False,
    plan_files: Annotated[list[Path] | None, typer.Option(
        "--plan", help="Check a saved `plan --format json` file instead of planning "
        "(repeatable).")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.text,
    cwd: Annotated[Path, typer.Option("--cwd", help="Pulumi project directory.")] = Path("."),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Stacks planned at once.")]
    = max(1, os.cpu_count() or 1),
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of program "
                                        "errors.")] = False,
) -> None:
    """Offline deploy-time checks: what would make `pulumi up` fail halfway."""
    from platformctl.checks import run_checks
    from platformctl.checks.report import RENDERERS
    from platformctl.checks.sources import plan_stacks, read_plan_files
    from platformctl.project import Project

    if sum((bool(stacks), all_stacks, bool(plan_files))) != 1:
        raise fail("give STACK..., --all or --plan FILE (one of them)")
    try:
        if plan_files:
            views = read_plan_files(plan_files)
        else:
            project = Project.load(cwd)
            names = project.stacks() if all_stacks else list(dict.fromkeys(stacks or []))
            if not names:
                raise PlanInputError(f"{project.stack_config_dir}: no Pulumi.<stack>.yaml "
                                     "files; add one or name a STACK")
            views, failed = plan_stacks(project, names, jobs, debug)
            for result in failed:
                stderr.print(f"[red]error:[/red] {result.stack}: {result.error}",
                             highlight=False, soft_wrap=True)
                if result.detail:
                    stderr.print(result.detail, highlight=False)
            if failed:
                raise typer.Exit(EXIT_INPUT)  # a partial check would read clean where it is not
    except PlanInputError as error:
        raise fail(str(error)) from None
    report = run_checks(views)
    sys.stdout.write(RENDERERS[output_format.value](report))
    if report.blocking:
        raise typer.Exit(EXIT_POLICY)


@app.command("preflight")
def preflight_command(
    stack: Annotated[str | None, typer.Argument(help="Stack to plan and pre-flight.")] = None,
    plan_file: Annotated[Path | None, typer.Option(
        "--plan", help="Pre-flight a saved `plan --format json` file instead of planning.")]
    = None,
    cwd: Annotated[Path, typer.Option("--cwd", help="Pulumi project directory.")] = Path("."),
    profile: Annotated[str | None, typer.Option("--profile", help="AWS profile to use.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(
        "--endpoint-url", help="Send every AWS call here (e.g. a moto server).")] = None,
    output_format: Annotated[TextOrJson, typer.Option("--format", "-f")]
    = TextOrJson.text,
) -> None:
    """Read-only pre-flight (boto3): account, regions, quotas and names the plan needs."""
    from platformctl.checks.sources import plan_stacks, read_plan_files
    from platformctl.preflight import PreflightError, client_factory, preflight
    from platformctl.project import Project

    if (stack is None) == (plan_file is None):
        raise fail("give a STACK or --plan FILE, not both or neither")
    try:
        clients = client_factory(profile, endpoint_url)  # a bad profile fails before planning
        if plan_file is not None:
            views = read_plan_files([plan_file])
            if len(views) != 1:
                raise PlanInputError(f"--plan {plan_file}: holds {len(views)} plans; give one")
        else:
            views, failed = plan_stacks(Project.load(cwd), [stack], jobs=1)
            if failed:
                raise PlanInputError(f"{stack}: {failed[0].error}")
        report = preflight(views[0], clients)
    except (PlanInputError, PreflightError) as error:
        raise fail(str(error)) from None
    sys.stdout.write(report.to_json() if output_format is TextOrJson.json
                     else report.to_text())
    if report.problems:
        raise typer.Exit(EXIT_POLICY)


@app.command("order")
def order_command(
    blueprint: Annotated[str | None, typer.Option(
        "--blueprint", help="Only the stacks of this blueprint (their platform:blueprint).")]
    = None,
    plans: Annotated[Path | None, typer.Option(
        "--plans", help="Order these saved plan JSON files (a file or a directory) instead "
        "of planning.")] = None,
    output_format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
    cwd: Annotated[Path, typer.Option("--cwd", help="Pulumi project directory.")] = Path("."),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Stacks planned at once.")]
    = max(1, os.cpu_count() or 1),
) -> None:
    """The stacks in deploy order: each after the stacks it reads through StackReferences
    (an Aurora global primary before its secondary, regional stacks before the global stack
    reading them). Exit 2 on a reference cycle or a stack that fails to plan."""
    from platformctl import order
    from platformctl.project import Project

    try:
        if plans is not None:
            found = order.saved(plans, blueprint)
        else:
            project = Project.load(cwd)
            found = order.planned(project, order.stacks_of(project, blueprint), jobs)
        sys.stdout.write(order.render(found, output_format.value))
    except PlanInputError as error:
        raise fail(str(error)) from None


def _run(requests: list[PlanRequest], jobs: int, show_progress: bool) -> list[PlanResult]:
    """Plan the requests (a StackReference cycle between them is one line, exit 2)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from platformctl.worker import plan_in_processes

    try:
        if not show_progress:
            return plan_in_processes(requests, jobs)
        columns = (TextColumn("planning"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=stderr, transient=True) as progress:
            task = progress.add_task("plan", total=len(requests))
            return plan_in_processes(requests, jobs, on_done=lambda _: progress.advance(task))
    except PlanInputError as error:
        raise fail(str(error)) from None


def main() -> None:
    app()
