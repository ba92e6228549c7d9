"""A Pulumi project on disk, read the way the Pulumi CLI reads it.

`Pulumi.yaml` gives the name, runtime, main program and `stackConfigDir`; stack config
comes from the project's `config` defaults overlaid by `Pulumi.<stack>.yaml`. Keys without a
namespace belong to the project; object values are handed to the program as JSON, as the
CLI does; `secure:` values become a placeholder and are marked secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlanInputError

SECRET_PLACEHOLDER = "[secret]"


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise PlanInputError(f"{path}:{line} is not valid YAML; fix the syntax") from None
    if not isinstance(data, dict):
        raise PlanInputError(f"{path}: must be a YAML mapping; see the Pulumi project docs")
    return data


def _config_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class StackConfig:
    values: dict[str, str]
    secret_keys: list[str]
    source: Path


@dataclass(frozen=True)
class Project:
    directory: Path
    name: str
    main: Path
    stack_config_dir: Path
    defaults: dict[str, Any]

    @classmethod
    def load(cls, directory: Path) -> Project:
        directory = directory.resolve()
        project_file = next((directory / n for n in ("Pulumi.yaml", "Pulumi.yml")
                             if (directory / n).is_file()), None)
        if project_file is None:
            raise PlanInputError(f"{directory}: no Pulumi.yaml; run inside a Pulumi project "
                                 "or pass --cwd DIR")
        data = _load_yaml(project_file)
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise PlanInputError(f"{project_file}: name: missing; give the project a name")
        runtime = data.get("runtime")
        runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if runtime_name != "python":
            raise PlanInputError(f"{project_file}: runtime: '{runtime_name}' is not python; "
                                 "platformctl plans Pulumi Python programs only")
        main = directory / str(data.get("main", "."))
        if main.is_dir():
            main = main / "__main__.py"
        if not main.is_file():
            raise PlanInputError(f"{project_file}: main: {main} does not exist; point main at "
                                 "the program or add __main__.py")
        config_dir = directory / str(data.get("stackConfigDir", "."))
        return cls(directory=directory, name=name, main=main, stack_config_dir=config_dir,
                   defaults=data.get("config") or {})

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Every stack with a `Pulumi.<stack>.yaml`, sorted."""
        return sorted(p.name[len("Pulumi."):-len(".yaml")]
                      for p in self.stack_config_dir.glob("Pulumi.*.yaml"))

    def _qualify(self, key: str) -> str:
        return key if ":" in key else f"{self.name}:{key}"

    def stack_config(self, stack: str) -> StackConfig:
        values: dict[str, str] = {}
        secret_keys: list[str] = []
        for key, spec in self.defaults.items():
            default = spec.get("default", spec.get("value")) if isinstance(spec, dict) else spec
            if default is not None:
                values[self._qualify(key)] = _config_value(default)
        path = self.stack_file(stack)
        stack_data = _load_yaml(path) if path.is_file() else {}
        config = stack_data.get("config") or {}
        if not isinstance(config, dict):
            raise PlanInputError(f"{path}: config: must be a mapping of keys to values")
        for key, value in config.items():
            qualified = self._qualify(key)
            if isinstance(value, dict) and set(value) == {"secure"}:
                values[qualified] = SECRET_PLACEHOLDER
                secret_keys.append(qualified)
            else:
                values[qualified] = _config_value(value)
        return StackConfig(values=values, secret_keys=sorted(secret_keys), source=path)
