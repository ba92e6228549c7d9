"""Bad input to any platformctl command: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from platformctl.cli import app

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def broken_pack(tmp_path: Path) -> Path:
    (tmp_path / "PulumiPolicy.yaml").write_text((REPO / "policies" / "PulumiPolicy.yaml")
                                               .read_text())
    (tmp_path / "__init__.py").write_text("raise RuntimeError('broken pack')\n")
    (tmp_path / "__main__.py").write_text("import nothing_here\n")
    return tmp_path


def one_line_error(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_policy_config_that_is_a_directory(tmp_path: Path) -> None:
    line = one_line_error(["plan", "coursebundler-prod-us-east-1", "--cwd", str(REPO),
                           "--policy-config", str(tmp_path)])
    assert "cannot read the policy config (Is a directory)" in line


@pytest.mark.parametrize("command", [["plan", "coursebundler-dev-us-east-1"],
                                     ["policy-config", "coursebundler-dev-us-east-1"]])
def test_a_broken_policy_pack(command: list[str], broken_pack: Path) -> None:
    line = one_line_error([*command, "--cwd", str(REPO), "--policy-pack", str(broken_pack)])
    assert line.endswith(f"policy pack {broken_pack}: RuntimeError: broken pack")


def test_audit_with_an_unknown_aws_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    line = one_line_error(["audit", "us", "--regions", "us-east-1"])
    assert "creating the client in us-east-1 failed: ProfileNotFound" in line


def test_audit_with_a_malformed_endpoint() -> None:
    line = one_line_error(["audit", "us", "--regions", "us-east-1", "--endpoint-url", "notaurl"])
    assert "ValueError (Invalid endpoint: notaurl)" in line


PREVIEW = Path(__file__).resolve().parent / "projects" / "preview"


def test_a_stack_file_whose_region_contradicts_its_name() -> None:
    line = one_line_error(["plan", "wrong-us-east-1", "--cwd", str(PREVIEW), "-f", "json"])
    assert "Pulumi.wrong-us-east-1.yaml: aws:region is us-west-2" in line
    assert "named for us-east-1" in line


@pytest.mark.parametrize("option", ["acme/network/prod", "=x.json", "acme/network/prod="])
def test_a_malformed_stack_reference_option(option: str) -> None:
    line = one_line_error(["plan", "dev-us-east-2", "--cwd", str(PREVIEW),
                           "--stack-reference", option])
    assert "expected NAME=FILE.json" in line


def test_a_stack_reference_file_that_is_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "outputs.json"
    bad.write_text("not json")
    line = one_line_error(["plan", "dev-us-east-2", "--cwd", str(PREVIEW),
                           "--stack-reference", f"acme/network/prod={bad}"])
    assert f"cannot read {bad} as JSON" in line
