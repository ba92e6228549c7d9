"""Compute knobs of an environment profile: EKS and ECS Fargate.

Defaults are the production choice; the component args (components/eks.py,
components/ecs_service.py) validate the values again with messages naming the field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from environments.sections.base import Cidr, StrictModel

TaintEffect = Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]


class NodeTaint(StrictModel):
    key: str = Field(description="Taint key.")
    value: str = Field("true", description="Taint value.")
    effect: TaintEffect = Field("NO_SCHEDULE", description="Taint effect (EKS API spelling).")


class NodeGroupProfile(StrictModel):
    instance_types: list[str] = Field(
        min_length=1, description="EC2 instance types; spot groups need at least two of the "
        "same size so a reclaimed pool does not empty the group.")
    min_size: int = Field(ge=0, description="Fewest nodes.")
    desired_size: int = Field(ge=0, description="Nodes at creation (the autoscaler moves it).")
    max_size: int = Field(ge=1, description="Most nodes.")
    disk_size_gib: int = Field(50, ge=20, description="Encrypted gp3 root volume size.")
    labels: dict[str, str] = Field(default_factory=dict, description="Kubernetes node labels.")
    taints: list[NodeTaint] = Field(default_factory=list, description="Kubernetes taints.")

    @model_validator(mode="after")
    def _sizes(self) -> NodeGroupProfile:
        if self.min_size > self.max_size:
            raise ValueError(f"min_size: {self.min_size} exceeds max_size {self.max_size}")
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(f"desired_size: {self.desired_size} is outside min_size..max_size "
                             f"({self.min_size}..{self.max_size})")
        return self


def _system_nodes() -> NodeGroupProfile:
    return NodeGroupProfile(
        instance_types=["m7i.large"], min_size=2, desired_size=3, max_size=4,
        labels={"node-role": "system"},
        taints=[NodeTaint(key="CriticalAddonsOnly")],
    )


def _spot_nodes() -> NodeGroupProfile:
    return NodeGroupProfile(
        instance_types=["m7i.xlarge", "m6i.xlarge", "m7a.xlarge", "m6a.xlarge", "m5.xlarge"],
        min_size=2, desired_size=3, max_size=20,
        labels={"node-role": "workload", "capacity": "spot"},
    )


class EksProfile(StrictModel):
    enabled: bool = Field(False, description="Build the EKS cluster in this environment.")
    kubernetes_version: str = Field(
        "1.33", pattern=r"^1\.\d{2}$", description="EKS Kubernetes minor version.")
    endpoint_public_access: bool = Field(
        False, description="Expose the API endpoint publicly (private endpoint stays on); "
        "when on, only `public_access_cidrs` may reach it.")
    public_access_cidrs: list[Cidr] = Field(
        default_factory=list, description="CIDRs admitted to the public endpoint "
        "(never 0.0.0.0/0; required when the public endpoint is on).")
    admin_principal_arns: list[str] = Field(
        default_factory=list, description="IAM roles/users given cluster-admin access entries.")
    system_nodes: NodeGroupProfile = Field(
        default_factory=_system_nodes,
        description="On-demand group for cluster add-ons (tainted CriticalAddonsOnly).")
    spot_nodes: NodeGroupProfile = Field(
        default_factory=_spot_nodes, description="Spot group for general workloads.")
    karpenter: bool = Field(True, description="Install Karpenter for node autoscaling.")
    karpenter_chart_version: str = Field(
        "1.5.1", pattern=r"^\d+\.\d+\.\d+$", description="Pinned Karpenter Helm chart version.")
    karpenter_ami_alias: str = Field(
        "al2023@v20250915", pattern=r"^[a-z0-9]+@v\d[0-9.]*$",
        description="Pinned AMI alias of Karpenter's nodes (never @latest; bump deliberately).")

    @model_validator(mode="after")
    def _public_endpoint(self) -> EksProfile:
        if "0.0.0.0/0" in self.public_access_cidrs:
            raise ValueError("public_access_cidrs: 0.0.0.0/0 opens the API to the world; "
                             "list your office/VPN CIDRs")
        if self.endpoint_public_access and not self.public_access_cidrs:
            raise ValueError("public_access_cidrs: required when endpoint_public_access is on")
        return self


class EcsProfile(StrictModel):
    enabled: bool = Field(False, description="Build the ECS Fargate web service.")
    image: str | None = Field(
        None, description="Container image; null runs `image_tag` from the service's own "
        "ECR repository.")
    image_tag: str = Field("bootstrap", description="Tag in the service's ECR repository.")
    cpu: int = Field(512, description="Task vCPU units (Fargate sizes: 256 .. 16384).")
    memory: int = Field(1024, description="Task memory MiB (must fit the cpu size).")
    container_port: int = Field(8080, ge=1, le=65535, description="Port the app listens on.")
    health_check_path: str = Field("/health", description="ALB target health check path.")
    min_tasks: int = Field(2, ge=1, description="Fewest tasks (seed: 2).")
    max_tasks: int = Field(10, ge=1, description="Most tasks (seed: 10).")
    cpu_target_percent: int = Field(70, ge=10, le=95, description="CPU scale-out target.")
    memory_target_percent: int = Field(80, ge=10, le=95, description="Memory scale-out target.")
    fargate_base: int = Field(
        2, ge=0, description="Tasks always placed on on-demand FARGATE before weights apply.")
    fargate_weight: int = Field(1, ge=0, description="Weight of on-demand FARGATE beyond base.")
    fargate_spot_weight: int = Field(1, ge=0, description="Weight of FARGATE_SPOT beyond base.")
    certificate_arn: str | None = Field(
        None, description="ACM certificate for the HTTPS listener (per region; set it in the "
        "stack file); takes precedence over `domain_name`.")
    domain_name: str | None = Field(
        None, description="Without `certificate_arn`: the service requests a DNS-validated "
        "ACM certificate for this name and exports the validation records.")

    @model_validator(mode="after")
    def _https(self) -> EcsProfile:
        if self.enabled and not (self.certificate_arn or self.domain_name):
            raise ValueError("certificate_arn: the HTTPS listener needs a certificate; set "
                             "ecs.certificate_arn or ecs.domain_name")
        if self.min_tasks > self.max_tasks:
            raise ValueError(f"min_tasks: {self.min_tasks} exceeds max_tasks {self.max_tasks}")
        return self
