"""The `platformctl` command line."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from platformctl.errors import PlanInputError, ProgramError
from platformctl.project import Project
from platformctl.render import render_json, render_markdown, render_sarif, render_text
from platformctl.worker import PlanRequest, PlanResult, plan_in_processes

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


@app.callback()
def _root() -> None:
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
) -> None:
    """Run the program under Pulumi's mock runtime and print what it would create."""
    if (stack is None) == (not all_stacks):
        raise fail("give a STACK or --all, not both or neither")
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
                            policy_pack=pack_dir, policy_config=pack_config) for s in stacks]
    results = _run(requests, jobs, show_progress=all_stacks and stderr.is_terminal)

    failed = [r for r in results if not r.ok]
    for result in failed:
        prefix = f"{result.stack}: " if all_stacks else ""
        stderr.print(f"[red]error:[/red] {prefix}{result.error}", highlight=False, soft_wrap=True)
        if result.detail:
            stderr.print(result.detail, highlight=False)
    plans = [r.plan for r in results if r.plan is not None]
    if plans:
        if output_format is OutputFormat.json:
            sys.stdout.write(render_json(plans))
        elif output_format is OutputFormat.markdown:
            sys.stdout.write(render_markdown(plans))
        elif output_format is OutputFormat.sarif:
            sys.stdout.write(render_sarif(plans))
        else:
            render_text(plans, Console())
    if failed:
        raise typer.Exit(EXIT_INPUT)
    if any(v["enforcement"] == "mandatory" for p in plans for v in p["violations"]):
        raise typer.Exit(EXIT_POLICY)


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
                                jurisdiction=jurisdiction, blueprint=blueprint)
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


class AuditFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("audit")
def audit_command(
    jurisdiction: Annotated[str, typer.Argument(help="A key of jurisdictions.yaml, e.g. us.")],
    regions: Annotated[str | None, typer.Option(
        "--regions", help="Comma-separated regions to scan (default: every region in "
        "environments/aws_regions.yaml).")] = None,
    output_format: Annotated[AuditFormat, typer.Option("--format", "-f")] = AuditFormat.text,
    endpoint_url: Annotated[str | None, typer.Option(
        "--endpoint-url", help="Send every AWS call here (e.g. a moto server).")] = None,
) -> None:
    """Live residency audit (boto3, read-only): restricted data stores outside JURISDICTION."""
    from environments.errors import SpecError
    from environments.loader import EnvironmentData
    from platformctl.audit import AuditError, audit, client_factory, render_text_report

    try:
        data = EnvironmentData()
    except SpecError as error:
        raise fail(str(error)) from None
    if jurisdiction not in data.jurisdictions:
        raise fail(f"environments/jurisdictions.yaml: no jurisdiction '{jurisdiction}'; use "
                   f"one of {', '.join(sorted(data.jurisdictions))}")
    scan = [r.strip() for r in regions.split(",") if r.strip()] if regions else list(
        data.aws_zones)
    unknown = [r for r in scan if r not in data.aws_zones]
    if unknown or not scan:
        raise fail(f"--regions: {', '.join(unknown) or 'empty'} is not a region of "
                   f"environments/aws_regions.yaml; use {', '.join(sorted(data.aws_zones))}")
    try:
        result = audit(jurisdiction, data.jurisdictions[jurisdiction].regions,
                       list(dict.fromkeys(scan)), client_factory(endpoint_url),
                       all_bucket_locations=regions is None)
    except AuditError as error:
        raise fail(str(error)) from None
    if output_format is AuditFormat.json:
        sys.stdout.write(result.to_json())
    else:
        render_text_report(result, Console())
    if result.findings:
        raise typer.Exit(EXIT_POLICY)


def _run(requests: list[PlanRequest], jobs: int, show_progress: bool) -> list[PlanResult]:
    if not show_progress:
        return list(plan_in_processes(requests, jobs))
    columns = (TextColumn("planning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("plan", total=len(requests))
        return list(plan_in_processes(requests, jobs,
                                      on_done=lambda _: progress.advance(task)))


def main() -> None:
    app()
