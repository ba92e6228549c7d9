"""Environment data (YAML) and its typed, validated model."""

from environments.errors import SpecError
from environments.loader import EnvironmentData, load_stack_spec, validate_model
from environments.model import StackSpec

__all__ = ["EnvironmentData", "SpecError", "StackSpec", "load_stack_spec", "validate_model"]
