"""No plaintext secrets in the places they leak from: ECS container environments, Lambda
environments, EC2 user data and Kubernetes pod specs.

A finding names the resource, the place and the variable, never the value. A value counts
as a literal secret when its name says it is one (`DB_PASSWORD`, `apiKey`, `JWT_SECRET`;
not `SECRET_ARN` or `TOKEN_URL`) and it is a known string that is not a reference
(an ARN, `{{resolve:...}}`, a shell `$VAR`), or when the value itself has the shape of a
credential (an AWS access key id, a PEM private key, GitHub/Slack tokens). Unknown and
Pulumi-secret values are generated or configured, not literals.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .base import Report, stack_policy
from .graph import Graph, get, items, label, parse_json, plain

# The name's last word says it holds a secret ...
SECRET_WORDS = frozenset({"PASSWORD", "PASSWD", "PASS", "SECRET", "TOKEN", "APIKEY",
                          "ACCESSKEY", "PRIVATEKEY", "CREDENTIAL", "CREDENTIALS"})
# ... or it is KEY (or PWD) after one of these.
KEY_QUALIFIERS = frozenset({"API", "ACCESS", "PRIVATE", "SECRET", "SIGNING", "ENCRYPTION",
                            "MASTER", "AUTH", "DB"})
CREDENTIAL_SHAPES = (
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),                       # AWS access key id
    re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),           # PEM private key
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),                    # GitHub token
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),                  # Slack token
)
REFERENCE_PREFIXES = ("arn:", "{{resolve:", "$", "[secret]", "ssm:", "secretsmanager:")
NOT_SECRET_VALUES = frozenset({"true", "false", "yes", "no", "none", "null", "enabled",
                               "disabled"})
# `NAME=value` / `NAME: value` lines of shell scripts, env files and cloud-init YAML.
ASSIGNMENT = re.compile(
    r"""^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*(?:=|:\s)\s*(['"]?)([^'"\s#]*)""",
    re.MULTILINE)
WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

POD_TEMPLATE_PATHS = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def secret_name(name: str) -> bool:
    """Whether a variable called `name` holds a secret, by its last word(s)."""
    words = [w.upper() for w in WORD.findall(name)]
    if not words:
        return False
    last = words[-1]
    if last in SECRET_WORDS:
        return True
    return last in ("KEY", "PWD") and len(words) > 1 and (
        words[-2] in KEY_QUALIFIERS or last == "PWD")


def credential_shaped(value: str) -> bool:
    return any(shape.search(value) for shape in CREDENTIAL_SHAPES)


def literal_secret(name: Any, value: Any) -> bool:
    """A known, literal (non-reference) value of a secret-named variable, or a value that
    is itself a credential."""
    if not isinstance(value, str) or not value.strip():
        return False
    if credential_shaped(value):
        return True
    if not isinstance(name, str) or not secret_name(name):
        return False
    stripped = value.strip()
    return not stripped.startswith(REFERENCE_PREFIXES) and \
        stripped.lower() not in NOT_SECRET_VALUES and not stripped.isdigit()


def script_secrets(text: str) -> list[str]:
    """Names assigned a literal secret in a script / cloud-init text (values never kept),
    plus `a credential` when one appears unassigned."""
    found = [m[1] for m in ASSIGNMENT.finditer(text) if literal_secret(m[1], m[3])]
    if not found and credential_shaped(text):
        found.append("a credential-shaped value")
    return list(dict.fromkeys(found))


def _decoded(value: Any, encoded: bool) -> str | None:
    if not isinstance(value, str):
        return None
    if encoded:
        try:
            return base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return value
    return value


def _pairs(entries: Any, name_key: str = "name", value_key: str = "value") -> Iterator[
        tuple[Any, Any]]:
    for entry in items(entries):
        yield get(entry, name_key), get(entry, value_key)


Finding = tuple[Any, str, str, str]
"""(resource, where, variable name, how to fix)"""
ECS_FIX = "reference a Secrets Manager secret or SSM parameter in the container's `secrets`"
LAMBDA_FIX = "read it at runtime from Secrets Manager / SSM Parameter Store"
USER_DATA_FIX = "fetch it at boot from Secrets Manager / SSM Parameter Store"
POD_FIX = "use env value_from.secret_key_ref with a Kubernetes Secret"


def _ecs(graph: Graph) -> Iterator[Finding]:
    for task in graph.of_type("aws:ecs/taskDefinition:TaskDefinition",
                              "aws-native:ecs:TaskDefinition"):
        for container in items(parse_json(get(task.props, "containerDefinitions"))):
            where = f"container '{get(container, 'name')}' environment"
            for name, value in _pairs(get(container, "environment")):
                if literal_secret(name, value):
                    yield task, where, str(name), ECS_FIX


def _lambda(graph: Graph) -> Iterator[Finding]:
    for function in graph.of_type("aws:lambda/function:Function", "aws-native:lambda:Function"):
        variables = plain(get(function.props, "environment", "variables"))
        if isinstance(variables, Mapping):
            for name, value in variables.items():
                if literal_secret(name, value):
                    yield function, "environment", str(name), LAMBDA_FIX


USER_DATA = {
    "aws:ec2/instance:Instance": ((("userData",), False), (("userDataBase64",), True)),
    "aws:ec2/launchTemplate:LaunchTemplate": ((("userData",), True),),
    "aws-native:ec2:Instance": ((("userData",), True),),
    "aws-native:ec2:LaunchTemplate": ((("launchTemplateData", "userData"), True),),
}


def _user_data(graph: Graph) -> Iterator[Finding]:
    for type_token, sources in USER_DATA.items():
        for resource in graph.of_type(type_token):
            for path, encoded in sources:
                text = _decoded(get(resource.props, *path), encoded)
                for name in script_secrets(text) if text else ():
                    yield resource, "user data", name, USER_DATA_FIX


def _pods(graph: Graph) -> Iterator[Finding]:
    for type_token, path in POD_TEMPLATE_PATHS.items():
        for resource in graph.of_type(type_token):
            spec = get(resource.props, *path)
            for group in ("initContainers", "containers"):
                for container in items(get(spec, group)):
                    where = f"container '{get(container, 'name')}' env"
                    for entry in items(get(container, "env")):
                        if get(entry, "valueFrom"):
                            continue
                        if literal_secret(get(entry, "name"), get(entry, "value")):
                            yield resource, where, str(get(entry, "name")), POD_FIX


def check_no_plaintext_secrets(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for finder in (_ecs, _lambda, _user_data, _pods):
        for resource, where, name, fix in finder(graph):
            subject = name if name.startswith("a ") else f"'{name}'"
            report(resource, f"{label(resource)}: {where} carries {subject} as a plaintext "
                             f"literal (value not shown); {fix}")


POLICIES = [
    stack_policy(
        "no-plaintext-secrets",
        "No literal passwords, tokens or keys in ECS container environments, Lambda "
        "environments, EC2 user data or Kubernetes pod specs.",
        check_no_plaintext_secrets,
        remediation="Keep secret values in Secrets Manager / SSM / Kubernetes Secrets.",
    ),
]
