"""Pulumi's mock runtime with a monitor that records every registration as the engine sees it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

from platformctl import fixtures

AWS_PACKAGES = ("aws", "aws-native")


@dataclass
class Registration:
    """One RegisterResource request: what a policy or a reviewer needs to judge it."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    provider: str | None
    dependencies: list[str]
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    ignore_changes: list[str]
    additional_secret_outputs: list[str]
    region: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)


def package_of(type_token: str) -> str:
    """`aws` of `aws:s3/bucket:Bucket`; `aws` of the provider type `pulumi:providers:aws`."""
    if type_token.startswith("pulumi:providers:"):
        return type_token.removeprefix("pulumi:providers:")
    return type_token.split(":", 1)[0]


class OfflineMocks(Mocks):
    """Answers invokes and new resources like AWS would in the resource's own region."""

    def __init__(self, monitor_ref: RecordingMonitor, config: dict[str, str]) -> None:
        self.monitor = monitor_ref
        self.config = config

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        region = args.args.get("region") or self.monitor.provider_region(
            args.provider, package_of(args.token))
        return fixtures.invoke(args.token, args.args, region or "us-east-1")

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        registration = self.monitor.pending.get(threading.get_ident())
        urn = registration.urn if registration else args.name
        region = registration.region if registration else None
        resource_id, state = fixtures.resource_outputs(fixtures.NewResource(
            type=args.typ, name=args.name, urn=urn, inputs=args.inputs, region=region))
        # The engine returns the outputs a resource declares secret (e.g. a generated
        # password's `result`) as secrets; the plain mock monitor does not.
        for key in registration.additional_secret_outputs if registration else ():
            if key in state and not rpc.is_rpc_secret(state[key]):
                state[key] = rpc.wrap_rpc_secret(state[key])
        return resource_id, state


class RecordingMonitor(MockMonitor):
    """MockMonitor that keeps the full request of every registration and the stack outputs."""

    def __init__(self, config: dict[str, str]) -> None:
        super().__init__(OfflineMocks(self, config))
        self.config = config
        self.registrations: dict[str, Registration] = {}
        self.stack_outputs: dict[str, Any] = {}
        self.stack_urn: str | None = None
        self.pending: dict[int, Registration] = {}
        self._lock = threading.Lock()

    def provider_region(self, provider_ref: str, package: str) -> str | None:
        """Region of an explicit provider (`urn::id`), else the stack's `<package>:region`."""
        urn = provider_ref.rsplit("::", 1)[0] if provider_ref else ""
        registration = self.registrations.get(urn)
        if registration is not None and not registration.type.endswith(":default"):
            region = registration.inputs.get("region")
            if isinstance(region, str):
                return region
        return self.config.get(f"{package}:region")

    def _region(self, type_token: str, inputs: dict[str, Any], provider: str) -> str | None:
        package = package_of(type_token)
        if package not in AWS_PACKAGES:
            return None
        own = inputs.get("region")
        if isinstance(own, str) and own:
            return own
        if type_token.startswith("pulumi:providers:"):
            return self.config.get(f"{package}:region")
        return self.provider_region(provider, package)

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = urn
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        registration = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            custom=bool(request.custom),
            provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
            dependencies=sorted(set(request.dependencies)),
            inputs=inputs,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            ignore_changes=list(request.ignoreChanges),
            additional_secret_outputs=list(request.additionalSecretOutputs),
        )
        registration.region = self._region(request.type, _plain(inputs), request.provider)
        with self._lock:
            self.registrations[urn] = registration
        self.pending[threading.get_ident()] = registration
        try:
            response = super().RegisterResource(request)
        finally:
            self.pending.pop(threading.get_ident(), None)
        if urn in self.resources:
            registration.outputs = self.resources[urn].state
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802 (gRPC method name)
        if request.urn == self.stack_urn:
            self.stack_outputs = rpc.deserialize_properties(request.outputs, keep_unknowns=True)
        return super().RegisterResourceOutputs(request)


def _plain(inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs with secret wrappers removed (for reading the region, never for display)."""
    return {k: rpc.unwrap_rpc_secret(v) if rpc.is_rpc_secret(v) else v for k, v in inputs.items()}
