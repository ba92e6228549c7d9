"""platformctl graph: the diagram of a program written here, checked for what it shows and
accepted by Mermaid's own parser (in node, under jsdom; no browser)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from typer.testing import CliRunner

from platformctl.cli import app
from platformctl.graph import build, render_mermaid
from tests.plans import run_offline

MERMAID_DIR = Path(__file__).resolve().parent / "mermaid"


class Store(pulumi.ComponentResource):
    """A bucket replicated to a replica in another region, encrypted with a key."""

    def __init__(self, name: str, key: aws.kms.Key, replica_provider: aws.Provider,
                 opts: pulumi.ResourceOptions) -> None:
        super().__init__("test:graph:Store", name, None, opts)
        child = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(parent=self))
        bucket = aws.s3.Bucket(f"{name}-bucket", opts=child)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse", bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}], opts=child)
        replica = aws.s3.Bucket(f"{name}-replica", opts=pulumi.ResourceOptions(
            parent=self, provider=replica_provider))
        aws.s3.BucketReplicationConfig(
            f"{name}-replication", bucket=bucket.id, role="arn:aws:iam::123456789012:role/r",
            rules=[{"id": "all", "status": "Enabled", "destination": {"bucket": replica.arn}}],
            opts=child)
        self.register_outputs({})


class Keys(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("test:graph:Keys", name, None, opts)
        self.key = aws.kms.Key(f"{name}-key", opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(parent=self)))
        self.register_outputs({})


def program() -> None:
    home = aws.Provider("aws-home", region="us-east-1")
    away = aws.Provider("aws-away", region="us-west-2")
    keys = Keys("keys", pulumi.ResourceOptions(provider=home))
    Store("media \"quoted\" <store>", keys.key, away, pulumi.ResourceOptions(provider=home))


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return run_offline(program, stack="graph").plan


def test_components_uses_replication_and_stack_references_are_drawn(
        plan: dict[str, Any]) -> None:
    diagram = build(plan)
    labels = {key: node.label for key, node in diagram.nodes.items()}
    keys = next(k for k, v in labels.items() if v == ["keys", "Keys"])
    store = next(k for k, v in labels.items() if v[1:] == ["Store"])
    assert diagram.uses[(keys, store)]["Key"] >= 1  # the store's encryption uses the key
    replica = next(k for k, v in labels.items() if v[-1] == "replica")
    assert diagram.nodes[replica].region == "us-west-2"
    assert (store, replica, "replicates to") in diagram.flows


def _with_references(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan plus two StackReference reads, listed as the engine lists them."""
    reads = [{"name": f"org/net/{stack}", "stack": f"org/net/{stack}", "source": None,
              "outputs": "unknown"} for stack in ("shared-network", "shared-dns")]
    return dict(plan, stackReferences=reads)


def test_stack_references_are_drawn_as_links_to_other_stacks(plan: dict[str, Any]) -> None:
    diagram = build(_with_references(plan))
    assert ("stack:shared-network", "stack:graph", "stack outputs") in diagram.flows
    assert ("stack:shared-dns", "stack:graph", "stack outputs") in diagram.flows
    assert diagram.nodes["stack:shared-dns"].shape == "stack"
    assert not any(key.startswith("stack:shared") for key, _, _ in build(plan).flows)


def test_labels_are_escaped(plan: dict[str, Any]) -> None:
    text = render_mermaid(plan)
    assert "#quot;quoted#quot;" in text and "&lt;store&gt;" in text
    assert text.startswith("flowchart LR\n")


def _mermaid_parser() -> Path:
    """Mermaid's parser in node, installed into tests/mermaid on first use."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: Mermaid's parser runs in node (apt-get install "
                    "nodejs npm)")
    if not (MERMAID_DIR / "node_modules" / "mermaid").is_dir():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: cannot install Mermaid's parser")
        install = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"],
                                 cwd=MERMAID_DIR, capture_output=True, text=True)
        if install.returncode != 0:
            pytest.skip(f"npm install of mermaid failed: {install.stderr.strip()[:200]}")
    return MERMAID_DIR / "check.mjs"


def _parse(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(_mermaid_parser()), *map(str, paths)],
                          capture_output=True, text=True, cwd=MERMAID_DIR)


def test_mermaid_accepts_the_diagram_and_rejects_a_broken_one(
        plan: dict[str, Any], tmp_path: Path) -> None:
    good = tmp_path / "good.mmd"
    good.write_text(render_mermaid(plan))
    linked = tmp_path / "linked.mmd"
    linked.write_text(render_mermaid(_with_references(plan)))
    broken = tmp_path / "broken.mmd"
    broken.write_text(render_mermaid(plan).replace('"]', "", 1))
    result = _parse([good, linked])
    assert result.returncode == 0 and "flowchart" in result.stdout, result.stdout
    assert _parse([broken]).returncode == 1


def test_cli_draws_a_plan_file_and_refuses_two(plan: dict[str, Any], tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(plan))
    result = CliRunner().invoke(app, ["graph", "--plans", str(one)])
    assert result.exit_code == 0 and result.output == render_mermaid(plan)
    two = tmp_path / "two.json"
    two.write_text(json.dumps({"plans": [plan, dict(plan, stack="other")]}))
    refused = CliRunner().invoke(app, ["graph", "--plans", str(two)])
    assert refused.exit_code == 2 and "holds 2 plans" in refused.output
