"""Answers to any data source, built from the SDK's own typed result class.

Each generated `get_*` function of a Pulumi Python SDK deserializes its result into a class
(`pulumi_aws/ec2/get_ami.py: GetAmiResult`) whose getters name every field and its type.
An invoke without a curated answer gets one deterministic placeholder per field, of the
field's type, so a program reads well-typed values; the plan lists the answer as assumed.
"""

from __future__ import annotations

import enum
import importlib
import re
import typing
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pulumi import _types

from platformctl.fixtures import ACCOUNT_ID, digest

PLACEHOLDER_CIDR = "10.0.0.0/16"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _module_candidates(token: str) -> tuple[str, str]:
    """(python package, submodule) a token's function lives in, as the codegen names them:
    `aws:ec2/getAmi:getAmi` -> (pulumi_aws, ec2); `aws:index/getRegion:getRegion` ->
    (pulumi_aws, '')."""
    package, module, _ = token.split(":", 2)
    module = module.split("/")[0]
    return f"pulumi_{package.replace('-', '_')}", "" if module == "index" else module


@cache
def result_class(token: str) -> type | None:
    """The `@pulumi.output_type` result class of the function `token`, if its SDK is installed."""
    try:
        package, module = _module_candidates(token)
        function = token.rsplit(":", 1)[-1]
    except ValueError:
        return None
    class_name = function[0].upper() + function[1:] + "Result"
    base = ".".join(p for p in (package, module) if p)
    # The codegen's name first; reading the package's sources only when it misses.
    found = _result_class_in(f"{base}.{_snake(function)}", class_name)
    if found is None:
        found = next(filter(None, (_result_class_in(candidate, class_name)
                                   for candidate in _modules_naming(base, token))), None)
    return found


def _result_class_in(module: str, class_name: str) -> type | None:
    try:
        loaded = importlib.import_module(module)
    except ImportError:
        return None
    found = getattr(loaded, class_name, None)
    return found if isinstance(found, type) and _types.is_output_type(found) else None


def _modules_naming(base: str, token: str) -> list[str]:
    """Modules of `base` whose source names `token` (for names the snake-case guess misses)."""
    try:
        directory = Path(importlib.import_module(base).__file__ or "").parent
    except ImportError:
        return []
    quoted = f"'{token}'"
    return [f"{base}.{path.stem}" for path in sorted(directory.glob("get_*.py"))
            if quoted in path.read_text(errors="replace")]


def placeholder_answer(token: str, region: str, partition: str) -> dict[str, Any] | None:
    """A value for every field of `token`'s result class (wire names), or None without one."""
    cls = result_class(token)
    if cls is None:
        return None
    function = token.rsplit(":", 1)[-1]
    service = _module_candidates(token)[1] or token.split(":", 1)[0]
    context = _Context(token=token, region=region, partition=partition, service=service,
                       kind=_snake(function.removeprefix("get")).strip("_").replace("_", "-"))
    return _object(cls, context, ())


class _Context(typing.NamedTuple):
    token: str
    region: str
    partition: str
    service: str
    kind: str


def _object(cls: type, context: _Context, path: tuple[str, ...]) -> dict[str, Any]:
    fields = _types.output_type_types(cls)
    return {name: _value(tp, context, (*path, name)) for name, tp in sorted(fields.items())}


def _value(tp: Any, context: _Context, path: tuple[str, ...]) -> Any:
    tp = _types.unwrap_optional_type(tp)
    origin = typing.get_origin(tp)
    if origin is not None:
        args = typing.get_args(tp)
        if isinstance(origin, type) and issubclass(origin, Mapping):
            return {}
        if isinstance(origin, type) and issubclass(origin, Sequence) and args:
            return [_value(args[0], context, path)]
        return _string(context, path)
    if isinstance(tp, type):
        if issubclass(tp, enum.Enum):
            return next(iter(tp)).value
        if issubclass(tp, bool):
            return False
        if issubclass(tp, int):
            return 1
        if issubclass(tp, float):
            return 1.0
        if issubclass(tp, Mapping):
            return {}
        if _types.is_output_type(tp):
            return _object(tp, context, path)
    return _string(context, path)


def _string(context: _Context, path: tuple[str, ...]) -> str:
    field = path[-1] if path else "value"
    lowered = field.lower()
    tag = digest(context.token, *path, length=8)
    if lowered == "arn" or lowered.endswith("arn"):
        return (f"arn:{context.partition}:{context.service}:{context.region}:{ACCOUNT_ID}:"
                f"{context.kind}/offline-{tag}")
    if lowered == "region" or lowered.endswith("regionname"):
        return context.region
    if lowered in ("accountid", "ownerid", "registryid"):
        return ACCOUNT_ID
    if lowered == "partition":
        return context.partition
    if "cidr" in lowered:
        return PLACEHOLDER_CIDR
    return f"offline-{_snake(field).replace('_', '-')}-{tag}"
