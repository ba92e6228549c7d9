"""helm-chart-unresolvable: a Helm release or chart whose chart reference cannot resolve.

Helm resolves a chart one of three ways: a chart name in a classic repository (an
index.yaml served over http(s)), a full `oci://registry/path/chart` reference with no
repository, or a local path. An `oci://` URL given as the repository, a `repo/chart`
name that relies on the runner's `helm repo add`, or a missing local path all fail at
apply time, after everything before the release was created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platformctl.checks import Report
from platformctl.checks.plan_view import StackPlan, is_opaque

ID = "helm-chart-unresolvable"
HELM_TYPES = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v3:Chart",
              "kubernetes:helm.sh/v4:Chart")
LOCAL_PREFIXES = ("./", "../", "/", "file://")


def problem(chart: str, repo: str | None, directory: Path | None) -> str | None:
    """Why `chart` (with repositoryOpts.repo `repo`) cannot resolve, or None."""
    if repo and repo.startswith("oci://"):
        return (f"repositoryOpts.repo '{repo}' is an OCI registry, which Helm cannot read as a "
                f"chart repository; set chart to '{repo.rstrip('/')}/{chart}' and drop "
                "repositoryOpts.repo")
    if chart.startswith(("https://", "http://")):
        return (f"chart URL '{chart}' is given together with repositoryOpts.repo; drop one"
                if repo else None)  # a packaged chart's URL resolves by itself
    if chart.startswith("oci://"):
        if repo:
            return (f"chart '{chart}' is a full OCI reference but repositoryOpts.repo '{repo}' "
                    "is also set; drop repositoryOpts.repo")
        return None
    if repo:
        if not repo.startswith(("https://", "http://")):
            return (f"repositoryOpts.repo '{repo}' is not an http(s) chart repository URL; "
                    "give the repository's https:// URL (or an oci:// chart reference)")
        if "/" in chart:
            return (f"chart '{chart}' names a repository prefix as well as repositoryOpts.repo;"
                    f" set chart to '{chart.rsplit('/', 1)[-1]}'")
        return None
    if chart.startswith(LOCAL_PREFIXES) or (directory and (directory / chart).exists()):
        path = Path(chart.removeprefix("file://"))
        if directory is not None and not (directory / path).exists():
            return f"local chart path '{chart}' does not exist under {directory}; fix the path"
        return None
    if "/" in chart:
        return (f"chart '{chart}' relies on a `helm repo add` on the machine that runs pulumi; "
                "set repositoryOpts.repo to the repository URL and chart to "
                f"'{chart.rsplit('/', 1)[-1]}'")
    return (f"chart '{chart}' has no repositoryOpts.repo, no oci:// reference and is not a "
            "local path; give the chart's repository")


def run(plans: list[StackPlan], report: Report) -> None:
    for view in plans:
        for resource in view.of_type(*HELM_TYPES):
            props: dict[str, Any] = resource.get("props") or {}
            chart = props.get("chart")
            # helm.sh/v3 Chart spells the repository fetchOpts.repo
            repo = ((props.get("repositoryOpts") or {}).get("repo")
                    or (props.get("fetchOpts") or {}).get("repo"))
            if not isinstance(chart, str) or is_opaque(chart) or is_opaque(repo):
                report.skip(ID, resource["urn"], f"{view.label(resource)}: chart reference "
                            "unknown until apply")
                continue
            if repo is not None and not isinstance(repo, str):
                continue
            if view.directory is None and chart.startswith(LOCAL_PREFIXES):
                report.skip(ID, resource["urn"], f"{view.label(resource)}: local chart path "
                            f"'{chart}' not checked (no project directory with --plan)")
                continue
            reason = problem(chart, repo, view.directory)
            if reason:
                report.add(ID, resource["urn"], f"{view.label(resource)}: {reason}")
