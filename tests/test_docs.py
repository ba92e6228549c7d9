"""README's component reference is generated from the code and must not drift from it."""

from __future__ import annotations

from platformctl import docs


def test_readme_component_reference_is_current() -> None:
    assert docs.main(["--check"]) == 0, "run: python -m platformctl.docs --write"


def test_every_component_documents_its_inputs_and_outputs() -> None:
    components = docs.component_docs()
    assert {c.name for c in components} >= {"Network"}
    for component in components:
        assert component.token.startswith("platform:"), component.name
        assert component.summary, f"{component.name}: add a class docstring"
        undocumented = [e.name for e in component.inputs if not e.doc]
        assert undocumented == [], f"{component.name}Args: document {undocumented}"
        assert component.outputs, f"{component.name}: document its outputs"


def test_readme_mentions_the_two_commands_ci_runs() -> None:
    readme = (docs.REPO / "README.md").read_text()
    ci = (docs.REPO / ".ci" / "run").read_text()
    assert ".venv/bin/platformctl plan coursebundler-prod-us-east-1" in readme
    assert ".venv/bin/python -m pytest" in readme
    assert ".venv/bin/python -m pytest" in ci


def test_every_profile_knob_is_described() -> None:
    from pydantic import BaseModel

    from environments.model import Profile

    def undescribed(model: type[BaseModel], prefix: str = "") -> list[str]:
        missing = []
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                missing += undescribed(annotation, f"{prefix}{name}.")
            elif not field.description:
                missing.append(f"{prefix}{name}")
        return missing

    assert undescribed(Profile) == []
