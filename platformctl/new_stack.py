"""`platformctl new-stack ENV REGION`: a new regional stack, its config written and validated.

What it does, in order, before writing anything:

1. reads and validates the environment data (`EnvironmentData`);
2. for a region not yet in `regions.yaml`: checks `aws_regions.yaml` knows it, takes its
   jurisdiction from `--jurisdiction` (or from the one jurisdiction that already lists it),
   checks the AZ count, allocates a VPC CIDR per environment from the address plan and
   appends the entry to `regions.yaml`, adding the region to its jurisdiction's `regions`;
   for a known region without a CIDR for ENV: allocates that one;
3. writes `stacks/Pulumi.<env>-<region>.yaml` (`config: aws:region: REGION`);
4. applies all of it to a temporary copy of the environments directory and loads the new
   stack's spec there; only when that passes are the real files written.

The YAML files are edited as text, so their comments and layout survive; every edit is
checked by parsing the result and comparing it with the intended data.

Address plan (the header of regions.yaml): each environment owns a /12, each region a /16
of it. An environment's /12 is derived from its existing CIDRs (the /12 that contains
them), and a new region gets the lowest /16 of it that overlaps no existing VPC.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from environments.errors import SpecError
from environments.loader import STACK_NAME, EnvironmentData
from environments.model import StackSpec

ENV_PREFIX = 12
"""Prefix length of the block each environment owns (regions.yaml's address plan)."""
REGION_PREFIX = 16
"""Prefix length of one region's VPC inside its environment's block."""
DEFAULT_AZ_COUNT = 3
"""AZs of a new region unless --az-count says otherwise (capped by what the region has)."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class NewStackError(ValueError):
    """Bad input to new-stack: `str()` is the one line the user sees (exit 2)."""


@dataclass(frozen=True)
class FileChange:
    """One file new-stack writes: where, its old text (None when new) and its new text."""

    path: Path
    label: str
    before: str | None
    after: str
    summary: str

    @property
    def added_text(self) -> str:
        """The lines the change adds or alters (for the report)."""
        old, new = (self.before or "").splitlines(), self.after.splitlines()
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        return "\n".join(line for tag, _, _, j1, j2 in matcher.get_opcodes()
                         if tag in ("insert", "replace") for line in new[j1:j2])


@dataclass(frozen=True)
class NewStackPlan:
    """Everything new-stack would write, already validated on a copy of the data."""

    stack: str
    spec: StackSpec
    changes: list[FileChange]
    notes: list[str] = field(default_factory=list)


# --- address plan (pure) -----------------------------------------------------------------


def environment_block(env: str, cidrs: Iterable[str], prefix: int = ENV_PREFIX,
                      source: str = "regions.yaml") -> Network:
    """The /`prefix` block `env` owns: the one that contains every existing CIDR of `env`."""
    networks = [ipaddress.ip_network(c) for c in cidrs]
    if not networks:
        raise NewStackError(
            f"{source}: no region has a vpc_cidrs.{env} to derive {env}'s /{prefix} from; "
            f"add {env}'s first CIDR by hand following the address plan at the top of the file")
    blocks = {n.supernet(new_prefix=prefix) if n.prefixlen > prefix else n for n in networks}
    if len(blocks) != 1 or any(n.prefixlen < prefix for n in networks):
        spread = ", ".join(sorted(str(n) for n in networks))
        raise NewStackError(
            f"{source}: the {env} CIDRs ({spread}) are not inside one /{prefix}; "
            f"put every {env} VPC in {env}'s block of the address plan")
    return blocks.pop()


def lowest_free_subnet(block: Network, used: Iterable[Network],
                       prefix: int = REGION_PREFIX) -> Network | None:
    """The lowest /`prefix` of `block` that overlaps none of `used`; None when it is full."""
    taken = [n for n in used if n.version == block.version and n.overlaps(block)]
    for candidate in block.subnets(new_prefix=prefix):
        if not any(candidate.overlaps(n) for n in taken):
            return candidate
    return None


def allocate_cidrs(existing: Mapping[str, Mapping[str, str]], environments: Sequence[str],
                   env_prefix: int = ENV_PREFIX, region_prefix: int = REGION_PREFIX,
                   source: str = "regions.yaml") -> dict[str, str]:
    """A new VPC CIDR for each of `environments`.

    `existing` is regions.yaml's region -> {env: cidr}. Each CIDR is the lowest
    /`region_prefix` of the environment's /`env_prefix` that overlaps no existing VPC of any
    environment (nor one allocated here).
    """
    used = [ipaddress.ip_network(c) for cidrs in existing.values() for c in cidrs.values()]
    allocated: dict[str, str] = {}
    for env in environments:
        block = environment_block(env, (c[env] for c in existing.values() if env in c),
                                  env_prefix, source)
        subnet = lowest_free_subnet(block, used, region_prefix)
        if subnet is None:
            raise NewStackError(
                f"{source}: the address plan is exhausted: no free /{region_prefix} left in "
                f"{env}'s {block}; free one up or widen the plan at the top of the file")
        used.append(subnet)
        allocated[env] = str(subnet)
    return allocated


# --- text edits that keep comments (pure) ------------------------------------------------


def append_region_entry(text: str, region: str, jurisdiction: str, az_count: int,
                        cidrs: Mapping[str, str]) -> str:
    """regions.yaml with a new region entry appended in the file's style."""
    flow = ", ".join(f"{env}: {cidr}" for env, cidr in cidrs.items())
    entry = (f"{region}:\n  jurisdiction: {jurisdiction}\n  az_count: {az_count}\n"
             f"  vpc_cidrs: {{{flow}}}\n")
    if text and not text.endswith("\n"):
        text += "\n"
    return text + entry


def add_to_collection(text: str, top_key: str, sub_key: str, *, flow_item: str,
                      block_item: str) -> str:
    """Add one item to the list or mapping at `top_key.sub_key` of a YAML text.

    Handles the one-line flow style (`regions: [a, b]`, `vpc_cidrs: {dev: ...}`) and the
    block style (one `- a` / `dev: ...` line per item); everything else in the file is kept
    as it is. Raises NewStackError when the layout is neither.
    """
    lines = text.splitlines(keepends=True)
    top = re.compile(rf"^{re.escape(top_key)}\s*:\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if top.match(line.rstrip("\n"))), None)
    if start is None:
        raise NewStackError(f"no top-level '{top_key}:' entry to edit")
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^[^\s#]", lines[i])),
               len(lines))
    sub = re.compile(rf"^(?P<indent>[ ]+){re.escape(sub_key)}\s*:(?P<value>[^#\n]*)"
                     r"(?P<comment>#.*)?$")
    for i in range(start + 1, end):
        match = sub.match(lines[i].rstrip("\n"))
        if match is None:
            continue
        value = match["value"].strip()
        newline = "\n" if lines[i].endswith("\n") else ""
        if (value[:1], value[-1:]) in (("[", "]"), ("{", "}")):
            inner = value[1:-1].strip()
            joined = f"{inner}, {flow_item}" if inner else flow_item
            raw = match["value"]
            lead, trail = raw[: len(raw) - len(raw.lstrip())], raw[len(raw.rstrip()):]
            head = lines[i][: match.start("value")]
            comment = match["comment"] or ""
            lines[i] = f"{head}{lead}{value[0]}{joined}{value[-1]}{trail}{comment}{newline}"
            return "".join(lines)
        if value == "":
            return _add_block_item(lines, i, end, len(match["indent"]), block_item)
        break
    raise NewStackError(f"'{top_key}.{sub_key}' is not a one-line [..]/{{..}} or a block "
                        "list/mapping")


def _add_block_item(lines: list[str], key_line: int, end: int, key_indent: int,
                    item: str) -> str:
    items = []
    for i in range(key_line + 1, end):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(lines[i]) - len(lines[i].lstrip(" "))
        if indent > key_indent or (indent == key_indent and stripped.startswith("- ")):
            items.append(i)
        else:
            break
    if not items:
        raise NewStackError("an empty block collection cannot be extended in place")
    first = lines[items[0]]
    indent = first[: len(first) - len(first.lstrip(" "))]
    dash = "- " if first.lstrip(" ").startswith("- ") else ""
    last = items[-1]
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    lines.insert(last + 1, f"{indent}{dash}{item}\n")
    return "".join(lines)


# --- the command's core ------------------------------------------------------------------


def stack_file_text(region: str, blueprint: str) -> str:
    return f"config:\n  aws:region: {region}\n  platform:blueprint: {blueprint}\n"


def plan_new_stack(root: Path, env: str, region: str, *, az_count: int | None = None,
                   jurisdiction: str | None = None, blueprint: str,
                   widen_jurisdiction: bool = False) -> NewStackPlan:
    """Work out and validate what `new-stack ENV REGION` writes under `root`; write nothing.

    Adding REGION to an existing jurisdiction's regions widens where that jurisdiction's
    restricted data may live: refused unless `widen_jurisdiction`.

    Raises NewStackError (one line: what, where, the fix) on any bad input.
    """
    root = Path(root)
    label = _Labels(root)
    try:
        data = EnvironmentData(root)
    except SpecError as error:
        raise NewStackError(f"the environment data does not load as it is: {error}") from None

    if env not in data.profiles:
        known = ", ".join(data.profiles)
        raise NewStackError(f"'{env}' is not an environment; use one of {known} or add "
                            f"{label('profiles', f'{env}.yaml')}")
    stack = f"{blueprint}-{env}-{region}"
    stack_path = root / "stacks" / f"Pulumi.{stack}.yaml"
    if stack_path.exists():
        raise NewStackError(f"{label('stacks', stack_path.name)} already exists; edit it, or "
                            "delete it first to start over")

    regions_path, jur_path = root / "regions.yaml", root / "jurisdictions.yaml"
    regions_text, jur_text = regions_path.read_text(), jur_path.read_text()
    regions_data: dict[str, Any] = yaml.safe_load(regions_text)
    jur_data: dict[str, Any] = yaml.safe_load(jur_text)
    existing = {name: dict(r.vpc_cidrs) for name, r in data.regions.items()}
    env_order = _environment_order(existing, data.profiles)
    changes: list[FileChange] = []
    notes: list[str] = []

    known_region = data.regions.get(region)
    if known_region is None:
        if region not in data.aws_zones:
            raise NewStackError(
                f"{label('aws_regions.yaml')}: '{region}' is not a known AWS region; check the "
                "spelling, or add it there with its availability zones (zone id: zone name)")
        if STACK_NAME.match(stack) is None:
            raise NewStackError(f"stack '{stack}' does not parse as <blueprint>-<env>-<region>; "
                                "environment like prod (lowercase letters and digits)")
        jurisdiction = _jurisdiction_of_new_region(data, region, jurisdiction, label)
        available = len(data.aws_zones[region])
        az = min(DEFAULT_AZ_COUNT, available) if az_count is None else az_count
        if not 1 <= az <= available:
            raise NewStackError(f"--az-count {az}: {region} has {available} availability zones "
                                f"({label('aws_regions.yaml')}); use 1 to {available}")
        cidrs = allocate_cidrs(existing, env_order, source=label("regions.yaml"))
        new_regions = append_region_entry(regions_text, region, jurisdiction, az, cidrs)
        _check_edit(new_regions, {**regions_data, region: {
            "jurisdiction": jurisdiction, "az_count": az, "vpc_cidrs": cidrs}},
            label("regions.yaml"))
        listed = ", ".join(f"{e} {c}" for e, c in cidrs.items())
        changes.append(FileChange(regions_path, label("regions.yaml"), regions_text,
                                  new_regions, f"added {region}: jurisdiction {jurisdiction}, "
                                  f"{az} AZs, vpc_cidrs {listed}"))
        if region not in data.jurisdictions[jurisdiction].regions:
            if not widen_jurisdiction:
                allowed = ", ".join(data.jurisdictions[jurisdiction].regions)
                raise NewStackError(
                    f"{region} is not a region of jurisdiction '{jurisdiction}' "
                    f"({label('jurisdictions.yaml')}: {allowed}); adding it lets that "
                    f"jurisdiction's restricted data live in {region}: pass "
                    "--widen-jurisdiction to do so (and have it reviewed)")
            new_jur = _edit(jur_text, jurisdiction, "regions", flow_item=region,
                            block_item=region, where=label("jurisdictions.yaml"))
            expected = {**jur_data, jurisdiction: {
                **jur_data[jurisdiction],
                "regions": [*jur_data[jurisdiction]["regions"], region]}}
            _check_edit(new_jur, expected, label("jurisdictions.yaml"))
            changes.append(FileChange(jur_path, label("jurisdictions.yaml"), jur_text, new_jur,
                                      f"added {region} to {jurisdiction}.regions"))
            notes.append(f"--widen-jurisdiction: restricted data of jurisdiction "
                         f"'{jurisdiction}' may now live in {region}: have that reviewed")
    else:
        if jurisdiction is not None and jurisdiction != known_region.jurisdiction:
            raise NewStackError(
                f"--jurisdiction {jurisdiction}: {label('regions.yaml')} already puts {region} "
                f"in '{known_region.jurisdiction}'; drop the option (a region's jurisdiction "
                "is changed by hand, with review)")
        if az_count is not None and az_count != known_region.az_count:
            raise NewStackError(
                f"--az-count {az_count}: {label('regions.yaml')} already gives {region} "
                f"az_count {known_region.az_count}; drop the option or edit "
                f"{region}.az_count there (it applies to every stack in {region})")
        if env not in known_region.vpc_cidrs:
            cidr = allocate_cidrs(existing, [env], source=label("regions.yaml"))[env]
            new_regions = _edit(regions_text, region, "vpc_cidrs", flow_item=f"{env}: {cidr}",
                                block_item=f"{env}: {cidr}", where=label("regions.yaml"))
            expected = {**regions_data, region: {
                **regions_data[region],
                "vpc_cidrs": {**regions_data[region]["vpc_cidrs"], env: cidr}}}
            _check_edit(new_regions, expected, label("regions.yaml"))
            changes.append(FileChange(regions_path, label("regions.yaml"), regions_text,
                                      new_regions, f"added {region}.vpc_cidrs.{env}: {cidr}"))

    changes.append(FileChange(stack_path, label("stacks", stack_path.name), None,
                              stack_file_text(region, blueprint), f"new stack {stack}"))
    spec = _validate_on_copy(root, stack, blueprint, changes)
    return NewStackPlan(stack=stack, spec=spec, changes=changes, notes=notes)


def write_changes(plan: NewStackPlan) -> None:
    """Write every file of `plan`; if one write fails, put the earlier ones back."""
    done: list[FileChange] = []
    try:
        for change in plan.changes:
            _atomic_write(change.path, change.after)
            done.append(change)
    except OSError:
        for change in reversed(done):
            if change.before is None:
                change.path.unlink(missing_ok=True)
            else:
                _atomic_write(change.path, change.before)
        raise


# --- helpers -----------------------------------------------------------------------------


class _Labels:
    """`environments/regions.yaml`-style names: relative to the data directory's parent."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, *parts: str) -> str:
        return "/".join((self.root.name, *parts))


def _environment_order(existing: Mapping[str, Mapping[str, str]],
                       profiles: Iterable[str]) -> list[str]:
    """Every environment, in the order regions.yaml writes them (dev, staging, prod)."""
    order: list[str] = []
    for cidrs in existing.values():
        order += [env for env in cidrs if env not in order]
    return [env for env in order if env in profiles] + \
        sorted(env for env in profiles if env not in order)


def _jurisdiction_of_new_region(data: EnvironmentData, region: str, given: str | None,
                                label: _Labels) -> str:
    known = ", ".join(sorted(data.jurisdictions))
    listing = [name for name, j in data.jurisdictions.items() if region in j.regions]
    if given is None:
        if len(listing) == 1:
            return listing[0]
        raise NewStackError(f"--jurisdiction is required: {region} is new to "
                            f"{label('regions.yaml')}; pass one of {known}")
    if given not in data.jurisdictions:
        raise NewStackError(f"--jurisdiction {given}: not a jurisdiction in "
                            f"{label('jurisdictions.yaml')}; use one of {known} or add it there")
    if listing and given not in listing:
        raise NewStackError(f"--jurisdiction {given}: {label('jurisdictions.yaml')} already "
                            f"lists {region} under {', '.join(listing)}; pass that instead")
    return given


def _edit(text: str, top_key: str, sub_key: str, *, flow_item: str, block_item: str,
          where: str) -> str:
    try:
        return add_to_collection(text, top_key, sub_key, flow_item=flow_item,
                                 block_item=block_item)
    except NewStackError as error:
        raise NewStackError(f"{where}: cannot add '{flow_item}' to {top_key}.{sub_key} "
                            f"({error}); add it by hand and rerun") from None


def _check_edit(text: str, expected: Mapping[str, Any], where: str) -> None:
    """The edited text must parse to exactly the intended data (nothing else moved)."""
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        parsed = None
    if parsed != expected:
        raise NewStackError(f"{where}: editing it as text did not give the intended data "
                            "(unusual layout); make the change by hand and rerun")


def _validate_on_copy(root: Path, stack: str, blueprint: str,
                      changes: Sequence[FileChange]) -> StackSpec:
    """Apply `changes` to a temporary copy of `root` and load `stack`'s spec there."""
    with tempfile.TemporaryDirectory(prefix="new-stack-") as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        for change in changes:
            target = copy / change.path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(change.after)
        try:
            spec = EnvironmentData(copy).stack_spec(stack, blueprint)
            config = yaml.safe_load((copy / "stacks" / f"Pulumi.{stack}.yaml").read_text())
        except SpecError as error:
            message = str(error).replace(str(copy), root.name)
            raise NewStackError(f"the new stack would not validate: {message}") from None
    if config != {"config": {"aws:region": spec.region, "platform:blueprint": blueprint}}:
        raise NewStackError(f"the new stack file of {stack} does not name region {spec.region}")
    return spec


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
