"""Loads and validates environments/*.yaml into a StackSpec for one stack.

A stack is named `<blueprint>-<env>-<region>` (e.g. `coursebundler-prod-us-east-1`): the
system, its environment's posture profile and its region, so two systems can share an
account and region. Its stack file names the blueprint again (`platform:blueprint`), which
must agree with the name.

Every check runs before any resource exists; a failure is one SpecError line naming the
file, the key path and the fix.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from environments.errors import SpecError
from environments.model import Jurisdiction, Profile, Region, StackSpec

DATA_DIR = Path(__file__).resolve().parent
STACK_NAME = re.compile(r"^(?P<blueprint>[a-z][a-z0-9]*(?:-[a-z0-9]+)*?)-(?P<env>[a-z][a-z0-9]*)"
                        r"-(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d+|global)$")
# A `<blueprint>-<env>-global` stack holds what AWS serves from one place for every region
# (CloudFront, WAF's CLOUDFRONT scope, its ACM certificates, Route 53 records): AWS requires
# those from us-east-1 (CloudFront developer guide, "Requirements for using SSL/TLS
# certificates with CloudFront"), so that is the stack's home and its jurisdiction's.
GLOBAL_SCOPE = "global"
GLOBAL_HOME_REGION = "us-east-1"
ModelT = TypeVar("ModelT", bound=BaseModel)
# VPC sizes: AWS's largest VPC, and the smallest the subnet plan can carve
# (components/subnet_plan.py SMALLEST_VPC_PREFIX; a test keeps the two equal).
LARGEST_VPC_PREFIX = 16
SMALLEST_VPC_PREFIX = 22


def _label(path: Path) -> str:
    """`environments/regions.yaml`-style label: relative to the repository when possible."""
    try:
        return str(path.relative_to(DATA_DIR.parent))
    except ValueError:
        return str(path)


def _read_yaml(path: Path) -> dict[str, Any]:
    label = _label(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise SpecError(label, "", "file not found", "restore it from the repository") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise SpecError(label, where, "is not valid YAML", "fix the syntax there") from None
    if not isinstance(data, dict):
        raise SpecError(label, "", "must be a mapping of keys to values", "see the README")
    return data


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the (nested) model that `loc` points into."""
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            break
        field = current.model_fields.get(str(part))
        if field is None:
            break
        annotation = field.annotation
        # dict[str, Model] and Model | None: step into the model they hold.
        args = [a for a in getattr(annotation, "__args__", ()) if isinstance(a, type)]
        models = [a for a in (annotation, *args)
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        if not models:
            break
        current = models[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return []


def validate_model(model: type[ModelT], data: Any, label: str, prefix: str = "") -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        key_path = ".".join(str(p) for p in (prefix, *loc) if p != "")
        kind = error["type"]
        if kind == "extra_forbidden":
            allowed = ", ".join(_allowed_keys(model, loc[:-1]))
            raise SpecError(label, key_path, "unknown key",
                            f"remove it or use one of: {allowed}") from None
        if kind == "missing":
            raise SpecError(label, key_path, "required key is missing", "add it") from None
        message = error["msg"].removeprefix("Value error, ")
        if kind == "value_error" and "; " in message:
            problem, fix = message.split("; ", 1)
            raise SpecError(label, key_path, problem, fix) from None
        raise SpecError(label, key_path, f"got {error.get('input')!r}",
                        message[0].lower() + message[1:]) from None


class EnvironmentData:
    """All environment files, validated together so one bad file fails every stack the same way."""

    def __init__(self, root: Path = DATA_DIR) -> None:
        self.root = root
        catalog_path = root / "aws_regions.yaml"
        self.aws_zones: dict[str, dict[str, str]] = _read_yaml(catalog_path)
        jur_path = root / "jurisdictions.yaml"
        self.jurisdictions = {
            name: validate_model(Jurisdiction, body, _label(jur_path), name)
            for name, body in _read_yaml(jur_path).items()
        }
        self.profile_files = {p.stem: p for p in sorted((root / "profiles").glob("*.yaml"))}
        self.profiles = {
            env: validate_model(Profile, _read_yaml(path), _label(path))
            for env, path in self.profile_files.items()
        }
        reg_path = root / "regions.yaml"
        self.regions_label = _label(reg_path)
        self.regions = {
            name: validate_model(Region, body, self.regions_label, name)
            for name, body in _read_yaml(reg_path).items()
        }
        self._check_jurisdictions(_label(jur_path))
        self._check_regions()
        self._check_address_plan()

    def _check_jurisdictions(self, label: str) -> None:
        for name, jurisdiction in self.jurisdictions.items():
            for index, region in enumerate(jurisdiction.regions):
                if region not in self.aws_zones:
                    known = ", ".join(sorted(self.aws_zones))
                    raise SpecError(label, f"{name}.regions[{index}]",
                                    f"'{region}' is not a known AWS region",
                                    f"use one of {known} or add it to aws_regions.yaml")

    def _check_regions(self) -> None:
        label = self.regions_label
        for name, region in self.regions.items():
            if name not in self.aws_zones:
                raise SpecError(label, name, "is not a known AWS region",
                                "check the spelling or add it to aws_regions.yaml")
            jurisdiction = self.jurisdictions.get(region.jurisdiction)
            if jurisdiction is None:
                known = ", ".join(sorted(self.jurisdictions))
                raise SpecError(label, f"{name}.jurisdiction",
                                f"'{region.jurisdiction}' is not a jurisdiction",
                                f"use one of {known} or add it to jurisdictions.yaml")
            if name not in jurisdiction.regions:
                raise SpecError(label, f"{name}.jurisdiction",
                                f"jurisdiction '{region.jurisdiction}' does not list {name}",
                                f"add {name} to {region.jurisdiction}.regions in "
                                "jurisdictions.yaml or pick the jurisdiction that lists it")
            available = len(self.aws_zones[name])
            if region.az_count > available:
                raise SpecError(label, f"{name}.az_count",
                                f"{region.az_count} exceeds the {available} availability "
                                f"zones {name} has", f"use at most {available}")
            for env in region.vpc_cidrs:
                if env not in self.profiles:
                    known = ", ".join(self.profiles)
                    raise SpecError(label, f"{name}.vpc_cidrs.{env}",
                                    f"'{env}' is not an environment",
                                    f"use one of {known} or add profiles/{env}.yaml")

    def _check_address_plan(self) -> None:
        seen: dict[str, list[tuple[str, ipaddress.IPv4Network | ipaddress.IPv6Network]]] = {}
        for name, region in self.regions.items():
            for env, cidr in region.vpc_cidrs.items():
                network = ipaddress.ip_network(cidr)
                if not (network.version == 4 and
                        LARGEST_VPC_PREFIX <= network.prefixlen <= SMALLEST_VPC_PREFIX):
                    raise SpecError(self.regions_label, f"{name}.vpc_cidrs.{env}",
                                    f"{network} is not an IPv4 range from /{LARGEST_VPC_PREFIX} "
                                    f"to /{SMALLEST_VPC_PREFIX}",
                                    f"AWS allows VPCs up to /{LARGEST_VPC_PREFIX} and three "
                                    f"subnet tiers over 8 AZ slots need a /{SMALLEST_VPC_PREFIX}")
                for other_region, other in seen.get(env, []):
                    if network.overlaps(other):
                        raise SpecError(self.regions_label, f"{name}.vpc_cidrs.{env}",
                                        f"{network} overlaps {other_region}.vpc_cidrs.{env} "
                                        f"({other})",
                                        f"give every {env} stack its own range from the "
                                        "address plan")
                seen.setdefault(env, []).append((name, network))

    def stack_spec(self, stack: str, blueprint: str | None = None,
                   source: str | None = None) -> StackSpec:
        """The spec of `stack`; `blueprint` is its stack file's `platform:blueprint`."""
        match = STACK_NAME.match(stack)
        if match is None:
            raise SpecError(f"stack '{stack}'", "name",
                            "does not parse as <blueprint>-<env>-<region> or "
                            "<blueprint>-<env>-global",
                            "name it like coursebundler-prod-us-east-1")
        source = source or _label(self.root / "stacks" / f"Pulumi.{stack}.yaml")
        named, env, region_name = match["blueprint"], match["env"], match["region"]
        scope = "regional"
        if region_name == GLOBAL_SCOPE:
            scope, region_name = "global", GLOBAL_HOME_REGION
        if blueprint is None:
            raise SpecError(source, "config.platform:blueprint", "missing",
                            f"add `platform:blueprint: {named}` (the stack's system)")
        if blueprint != named:
            raise SpecError(source, "config.platform:blueprint",
                            f"'{blueprint}' disagrees with the stack name '{stack}'",
                            f"name the stack {blueprint}-{env}-{region_name} or set "
                            f"platform:blueprint: {named}")
        if env not in self.profiles:
            known = ", ".join(self.profiles)
            raise SpecError(f"stack '{stack}'", "environment",
                            f"'{env}' is not an environment",
                            f"use one of {known} or add environments/profiles/{env}.yaml")
        region = self.regions.get(region_name)
        if region is None:
            raise SpecError(self.regions_label, region_name, "no entry for this region",
                            "add it with its jurisdiction, az_count and vpc_cidrs")
        cidr = region.vpc_cidrs.get(env) if scope == "regional" else None
        if cidr is None and scope == "regional":
            raise SpecError(self.regions_label, f"{region_name}.vpc_cidrs.{env}",
                            "no VPC CIDR for this environment",
                            "add one from the address plan")
        zones = list(self.aws_zones[region_name].values())[: region.az_count]
        return StackSpec(
            stack=stack,
            blueprint=blueprint,
            scope=scope,
            environment=env,
            region=region_name,
            jurisdiction_name=region.jurisdiction,
            jurisdiction=self.jurisdictions[region.jurisdiction],
            availability_zones=zones,
            vpc_cidr=cidr,
            profile=self.profiles[env],
            profile_file=_label(self.profile_files[env]),
            stack_file=source,
        )


def load_stack_spec(stack: str, blueprint: str | None, source: str | None = None,
                    root: Path = DATA_DIR) -> StackSpec:
    """The validated spec of `stack`, whose stack file names `blueprint`."""
    return EnvironmentData(root).stack_spec(stack, blueprint, source)
