"""`aws.iam.get_policy_document`, computed as the provider computes it (no AWS call needed).

Follows terraform-provider-aws `data_source_iam_policy_document.go`: statements from the
source documents, then the own statements (a Sid replaces the source statement with it),
then the override documents (a Sid replaces, else appended); a one-element list is written
as a string; `*` principals as `"*"`; conditions grouped by test, then variable.
"""

from __future__ import annotations

import json
from typing import Any

DEFAULT_VERSION = "2012-10-17"


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _principals(principals: list[dict[str, Any]]) -> Any:
    if any(p.get("type") == "*" for p in principals):
        return "*"
    grouped: dict[str, list[str]] = {}
    for principal in principals:
        grouped.setdefault(principal["type"], []).extend(principal.get("identifiers") or [])
    return {kind: _one_or_many(ids) for kind, ids in grouped.items()}


def _conditions(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    grouped: dict[str, dict[str, Any]] = {}
    for condition in conditions:
        values = list(condition.get("values") or [])
        grouped.setdefault(condition["test"], {})[condition["variable"]] = _one_or_many(values)
    return grouped


def _statement(spec: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {}
    if spec.get("sid"):
        statement["Sid"] = spec["sid"]
    statement["Effect"] = spec.get("effect") or "Allow"
    for key, field in (("Action", "actions"), ("NotAction", "notActions"),
                       ("Resource", "resources"), ("NotResource", "notResources")):
        if spec.get(field):
            statement[key] = _one_or_many(list(spec[field]))
    for key, field in (("Principal", "principals"), ("NotPrincipal", "notPrincipals")):
        if spec.get(field):
            statement[key] = _principals(spec[field])
    if spec.get("conditions"):
        statement["Condition"] = _conditions(spec["conditions"])
    return statement


def _merge(base: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = list(base)
    for statement in extra:
        sid = statement.get("Sid")
        index = next((i for i, s in enumerate(merged) if sid and s.get("Sid") == sid), None)
        if index is None:
            merged.append(statement)
        else:
            merged[index] = statement
    return merged


def _statements_of(documents: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for document in documents:
        statements = json.loads(document).get("Statement") or []
        found = _merge(found, statements if isinstance(statements, list) else [statements])
    return found


def policy_document(args: dict[str, Any]) -> str:
    """The `json` the data source returns for these (wire-named) arguments."""
    sources = list(args.get("sourcePolicyDocuments") or [])
    overrides = list(args.get("overridePolicyDocuments") or [])
    statements = _merge(_statements_of(sources),
                        [_statement(s) for s in args.get("statements") or []])
    statements = _merge(statements, _statements_of(overrides))
    document: dict[str, Any] = {"Version": args.get("version") or DEFAULT_VERSION}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    return json.dumps(document, indent=2)
