"""Serve the policy pack to the Pulumi engine (`pulumi preview --policy-pack <this dir>`).

Loads this directory as a package under a fixed name (whatever the directory is called and
whichever virtualenv runs it), then builds the PolicyPack, which serves until the engine stops
it. Nothing else may construct the PolicyPack.
"""

import importlib.util
import sys
from pathlib import Path

from pulumi_policy import PolicyPack

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "course_platform_policies", _HERE / "__init__.py", submodule_search_locations=[str(_HERE)])
_pack = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _pack
_spec.loader.exec_module(_pack)

PolicyPack(
    name=_pack.PACK_NAME,
    enforcement_level=_pack.ENFORCEMENT_LEVEL,
    policies=_pack.POLICIES,
)
