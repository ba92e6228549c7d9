"""K8sBaseline: what every application namespace of an EKS cluster starts from.

- HPA-ready metrics: metrics-server (the `metrics.k8s.io` API the Horizontal Pod Autoscaler
  reads), two replicas spread over zones with a disruption budget, in `kube-system`.
- The application namespace (Pod Security `restricted` enforced) with a network-policy set
  that denies everything by default and allows only: DNS to kube-system, traffic inside the
  namespace, scrapes from the monitoring namespace, ingress from the ingress namespace, and
  egress to the VPC (the data stores) and to HTTPS (AWS APIs). The VPC CNI enforces them
  (the Eks component turns `enableNetworkPolicy` on).
- `zone_spread(labels)`: the topology spread constraint every workload installed by a
  blueprint carries: pods spread evenly over AZs (maxSkew 1 on topology.kubernetes.io/zone).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.labels import child_name

ZONE_KEY = "topology.kubernetes.io/zone"
METRICS_SERVER_CHART = "metrics-server"
METRICS_SERVER_REPOSITORY = "https://kubernetes-sigs.github.io/metrics-server/"
# Egress every workload needs to reach AWS APIs and the data stores (ports of the stores).
DATA_STORE_PORTS = (5432, 6379)


def zone_spread(match_labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """Spread the pods matching `match_labels` evenly over AZs: no zone holds more than one
    pod more than another; when a zone cannot take one, the pod waits (DoNotSchedule)."""
    return [{"maxSkew": 1, "topologyKey": ZONE_KEY, "whenUnsatisfiable": "DoNotSchedule",
             "labelSelector": {"matchLabels": dict(match_labels)}}]


@dataclass(frozen=True, kw_only=True)
class K8sBaselineSettings:
    namespace: str = "apps"
    """The application namespace (the microservices')."""
    ingress_namespace: str = "ingress"
    """Namespace of the ingress controller allowed to reach the applications."""
    monitoring_namespace: str = "monitoring"
    """Namespace of Prometheus (allowed to scrape the applications)."""
    metrics_server_version: str = "3.12.2"
    """Pinned metrics-server chart version."""
    metrics_server_replicas: int = 2
    """metrics-server replicas (2: the HPA keeps its metrics while one node drains)."""

    def __post_init__(self) -> None:
        parts = self.metrics_server_version.split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"metrics_server_version: '{self.metrics_server_version}' is not "
                             "an exact version; pin it like 3.12.2")
        if self.metrics_server_replicas < 2:
            raise ValueError("metrics_server_replicas: at least 2, so autoscaling keeps its "
                             "metrics through a node drain")


@dataclass(frozen=True, kw_only=True)
class K8sBaselineArgs(K8sBaselineSettings):
    kubernetes_provider: k8s.Provider
    """Provider of the EKS cluster (the Eks component's `kubernetes_provider`)."""
    vpc_cidr: str
    """The VPC's range: where the data stores the applications may reach live."""
    depends_on: list[pulumi.Resource] = field(default_factory=list)
    """Resources the in-cluster objects wait for."""


class K8sBaseline(pulumi.ComponentResource):
    """metrics-server for the HPA and a default-deny application namespace."""

    namespace: str
    """The application namespace."""
    policy_names: list[str]
    """Network policies of the application namespace."""

    def __init__(self, name: str, args: K8sBaselineArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:k8s_baseline:K8sBaseline", name, None, opts)
        self._name = name
        self._k8s = pulumi.ResourceOptions(parent=self, provider=args.kubernetes_provider,
                                           depends_on=args.depends_on)
        self.namespace = args.namespace
        self.policy_names = []
        self._metrics_server(args)
        namespace = k8s.core.v1.Namespace(
            child_name(name, f"ns-{args.namespace}"),
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace, labels={
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest"}),
            opts=self._k8s)
        self._policies(args, namespace)
        self.register_outputs({"namespace": self.namespace, "policyNames": self.policy_names})

    def _metrics_server(self, args: K8sBaselineArgs) -> None:
        labels = {"app.kubernetes.io/name": METRICS_SERVER_CHART}
        k8s.helm.v3.Release(
            child_name(self._name, METRICS_SERVER_CHART), name=METRICS_SERVER_CHART,
            chart=METRICS_SERVER_CHART, version=args.metrics_server_version,
            namespace="kube-system",
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=METRICS_SERVER_REPOSITORY),
            atomic=True, cleanup_on_fail=True, timeout=600,
            values={"replicas": args.metrics_server_replicas,
                    "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
                    "topologySpreadConstraints": zone_spread(labels),
                    "priorityClassName": "system-cluster-critical"},
            opts=self._k8s)

    def _policy(self, role: str, namespace: k8s.core.v1.Namespace, spec: dict[str, Any]) -> None:
        self.policy_names.append(role)
        k8s.networking.v1.NetworkPolicy(
            child_name(self._name, role),
            metadata={"name": role, "namespace": namespace.metadata["name"]},
            spec={"podSelector": {}, **spec}, opts=self._k8s)

    def _policies(self, args: K8sBaselineArgs, namespace: k8s.core.v1.Namespace) -> None:
        in_ns = lambda ns: {"namespaceSelector": {"matchLabels": {  # noqa: E731
            "kubernetes.io/metadata.name": ns}}}
        self._policy("default-deny", namespace, {"policyTypes": ["Ingress", "Egress"]})
        self._policy("allow-dns", namespace, {"policyTypes": ["Egress"], "egress": [{
            "to": [{**in_ns("kube-system"),
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]})
        self._policy("allow-same-namespace", namespace, {
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {}}]}],
            "egress": [{"to": [{"podSelector": {}}]}]})
        self._policy("allow-from-ingress", namespace, {
            "policyTypes": ["Ingress"], "ingress": [{"from": [in_ns(args.ingress_namespace)]}]})
        self._policy("allow-monitoring-scrape", namespace, {
            "policyTypes": ["Ingress"], "ingress": [{"from": [in_ns(args.monitoring_namespace)]}]})
        self._policy("allow-data-stores", namespace, {"policyTypes": ["Egress"], "egress": [{
            "to": [{"ipBlock": {"cidr": args.vpc_cidr}}],
            "ports": [{"protocol": "TCP", "port": p} for p in DATA_STORE_PORTS]}]})
        self._policy("allow-https-egress", namespace, {"policyTypes": ["Egress"], "egress": [{
            "ports": [{"protocol": "TCP", "port": 443}]}]})
