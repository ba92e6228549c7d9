"""`--stack-reference NAME=FILE.json`: the outputs a StackReference reads, offline.

FILE is either a plan of the referenced stack (`platformctl plan ... --format json`; its
`outputs`) or a JSON object of outputs (e.g. `pulumi stack output --json`). A plan's
`[unknown]` values are handed over as that text, which every plan format and the policy
runner show as unknown (the SDK would make the whole reference unknown for one unknown
value). References nobody named read unknown outputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from platformctl.errors import PlanInputError


def _outputs_of(path: Path, option: str) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise PlanInputError(f"--stack-reference {option}: cannot read {path} as JSON "
                             f"({error}); give a plan JSON or a JSON object of outputs") from None
    if isinstance(document, dict) and "resources" in document and "outputs" in document:
        document = document["outputs"]
    if not isinstance(document, dict):
        raise PlanInputError(f"--stack-reference {option}: {path} holds no outputs object; "
                             "give a plan JSON or a JSON object of outputs")
    return document


def read_stack_references(options: list[str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """(stack name -> outputs, stack name -> the file they came from) of NAME=FILE options."""
    references: dict[str, dict[str, Any]] = {}
    sources: dict[str, str] = {}
    for option in options:
        name, sep, file = option.partition("=")
        if not sep or not name or not file:
            raise PlanInputError(f"--stack-reference {option}: expected NAME=FILE.json, e.g. "
                                 "--stack-reference acme/network/prod=network-prod.json")
        path = Path(file).expanduser()
        references[name] = _outputs_of(path, option)
        sources[name] = str(path)
    return references, sources
