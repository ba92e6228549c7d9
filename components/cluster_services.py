"""ClusterServices: the in-cluster services of the cost-optimized seed, from pinned charts.

- Message broker: Apache Kafka through the Strimzi operator (chart `strimzi-kafka-operator`),
  a KRaft cluster of `broker_replicas` dual-role nodes (KafkaNodePool) on encrypted gp3
  volumes kept when the cluster goes, TLS-only listener, replication 3 / min in-sync 2.
- Self-hosted WAF: ingress-nginx with ModSecurity and the OWASP core rule set switched on
  (`enable-modsecurity`, `enable-owasp-modsecurity-crs`, `SecRuleEngine On`: blocking, not
  detection only), behind an internal NLB (the edge reaches it through the VPC, never a
  world-open endpoint).
- Tracing: Grafana Tempo (OTLP in; Grafana reads it), on a persistent volume.

Every chart is pinned to an exact version; the Kafka resources wait for the operator release
(its CRDs) to exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.labels import child_name

# Pins and the values keys used below, read from each chart's own Chart.yaml / values.yaml
# at that version: ingress-nginx 4.12.1 (controller 1.12.1; controller.replicaCount, .config,
# .allowSnippetAnnotations, .metrics.serviceMonitor), tempo 1.18.2 (Tempo 2.7.1;
# tempo.retention, tempo.receivers, persistence.*). Upstream since: ingress-nginx is retired
# (maintenance ended March 2026) and the tempo chart moved to grafana-community/helm-charts
# (January 2026); both pins still resolve, neither gets fixes.
CHART_VERSIONS: dict[str, str] = {
    "strimzi-kafka-operator": "0.45.0",
    "ingress-nginx": "4.12.1",
    "tempo": "1.18.2",
}
CHART_REPOSITORIES: dict[str, str] = {
    "strimzi-kafka-operator": "https://strimzi.io/charts/",
    "ingress-nginx": "https://kubernetes.github.io/ingress-nginx",
    "tempo": "https://grafana.github.io/helm-charts",
}
KAFKA_VERSION = "3.9.0"
KAFKA_API = "kafka.strimzi.io/v1beta2"


@dataclass(frozen=True, kw_only=True)
class ClusterServicesSettings:
    broker_replicas: int = 3
    """Kafka nodes (each controller and broker); 3 keeps a quorum through one node's loss."""
    broker_storage_gi: int = 100
    """Volume of each Kafka node in GiB."""
    waf_replicas: int = 2
    """ingress-nginx (ModSecurity WAF) controller replicas."""
    trace_retention_hours: int = 336
    """Hours Tempo keeps traces (default 14 days)."""
    chart_versions: Mapping[str, str] = field(default_factory=lambda: dict(CHART_VERSIONS))
    """Pinned chart versions; every chart needs an exact x.y.z version."""

    def __post_init__(self) -> None:
        if self.broker_replicas < 1:
            raise ValueError("broker_replicas: must be at least 1 (3 for a quorum)")
        if self.broker_storage_gi < 1:
            raise ValueError("broker_storage_gi: must be at least 1")
        if self.waf_replicas < 1:
            raise ValueError("waf_replicas: must be at least 1")
        missing = sorted(set(CHART_VERSIONS) - set(self.chart_versions))
        if missing:
            raise ValueError(f"chart_versions: no version for {', '.join(missing)}; pin each "
                             "chart to an exact version like 1.2.3")
        for chart, version in self.chart_versions.items():
            parts = version.split(".")
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                raise ValueError(f"chart_versions: '{chart}' is '{version}', not an exact "
                                 "version; pin it like 1.2.3")


@dataclass(frozen=True, kw_only=True)
class ClusterServicesArgs(ClusterServicesSettings):
    kubernetes_provider: k8s.Provider
    """Provider of the EKS cluster (the Eks component's `kubernetes_provider`)."""
    storage_class: str = "gp3"
    """StorageClass of the broker and Tempo volumes (K8sMonitoring creates it)."""
    depends_on: list[pulumi.Resource] = field(default_factory=list)
    """What must exist first (the StorageClass's component)."""


class ClusterServices(pulumi.ComponentResource):
    """Strimzi + Kafka, ingress-nginx with ModSecurity/OWASP CRS, and Tempo."""

    broker_bootstrap: str
    """In-cluster bootstrap address of the Kafka TLS listener."""
    tracing_endpoint: str
    """In-cluster OTLP gRPC endpoint of Tempo (the collector exports traces here)."""

    def __init__(self, name: str, args: ClusterServicesArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:cluster_services:ClusterServices", name, None, opts)
        self._name, self.args = name, args
        self._k8s = pulumi.ResourceOptions(parent=self, provider=args.kubernetes_provider)
        namespaces = {ns: k8s.core.v1.Namespace(
            child_name(name, f"ns-{ns}"), metadata=k8s.meta.v1.ObjectMetaArgs(name=ns),
            opts=self._k8s) for ns in ("messaging", "edge", "tracing")}
        self._broker(namespaces["messaging"])
        self._waf(namespaces["edge"])
        self._tracing(namespaces["tracing"])
        self.broker_bootstrap = "platform-kafka-bootstrap.messaging.svc:9093"
        self.tracing_endpoint = "tempo.tracing.svc:4317"
        self.register_outputs({"brokerBootstrap": self.broker_bootstrap,
                               "tracingEndpoint": self.tracing_endpoint})

    def _release(self, chart: str, namespace: k8s.core.v1.Namespace,
                 values: Mapping[str, Any]) -> k8s.helm.v3.Release:
        return k8s.helm.v3.Release(
            child_name(self._name, chart), name=chart, chart=chart,
            version=self.args.chart_versions[chart], namespace=namespace.metadata.name,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CHART_REPOSITORIES[chart]),
            atomic=True, cleanup_on_fail=True, timeout=900, values=values,
            opts=pulumi.ResourceOptions.merge(self._k8s, pulumi.ResourceOptions(
                depends_on=[namespace, *self.args.depends_on])))

    def _broker(self, namespace: k8s.core.v1.Namespace) -> None:
        operator = self._release("strimzi-kafka-operator", namespace, {"replicas": 1})
        # Custom resources of the operator's CRDs: only after its release.
        crd_opts = pulumi.ResourceOptions.merge(self._k8s,
                                                pulumi.ResourceOptions(depends_on=[operator]))
        replicas = self.args.broker_replicas
        k8s.apiextensions.CustomResource(
            child_name(self._name, "kafka-nodes"), api_version=KAFKA_API, kind="KafkaNodePool",
            metadata={"name": "dual-role", "namespace": "messaging",
                      "labels": {"strimzi.io/cluster": "platform"}},
            spec={"replicas": replicas, "roles": ["controller", "broker"],
                  "storage": {"type": "persistent-claim",
                              "size": f"{self.args.broker_storage_gi}Gi",
                              "class": self.args.storage_class, "deleteClaim": False}},
            opts=crd_opts)
        in_sync = 2 if replicas >= 3 else 1
        k8s.apiextensions.CustomResource(
            child_name(self._name, "kafka"), api_version=KAFKA_API, kind="Kafka",
            metadata={"name": "platform", "namespace": "messaging", "annotations": {
                "strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled"}},
            spec={"kafka": {
                "version": KAFKA_VERSION,
                "listeners": [{"name": "tls", "port": 9093, "type": "internal", "tls": True}],
                "config": {"offsets.topic.replication.factor": min(3, replicas),
                           "transaction.state.log.replication.factor": min(3, replicas),
                           "transaction.state.log.min.isr": in_sync,
                           "default.replication.factor": min(3, replicas),
                           "min.insync.replicas": in_sync}},
                "entityOperator": {"topicOperator": {}, "userOperator": {}}},
            opts=crd_opts)

    def _waf(self, namespace: k8s.core.v1.Namespace) -> None:
        self._release("ingress-nginx", namespace, {"controller": {
            "replicaCount": self.args.waf_replicas,
            "config": {
                "enable-modsecurity": "true",
                "enable-owasp-modsecurity-crs": "true",
                # Blocking mode (the chart's ModSecurity default is detection only).
                "modsecurity-snippet": "SecRuleEngine On\nSecAuditEngine RelevantOnly",
            },
            "allowSnippetAnnotations": False,
            "service": {"annotations": {
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                "service.beta.kubernetes.io/aws-load-balancer-internal": "true"}},
            "metrics": {"enabled": True, "serviceMonitor": {"enabled": False}},
        }})

    def _tracing(self, namespace: k8s.core.v1.Namespace) -> None:
        self._release("tempo", namespace, {
            "tempo": {"retention": f"{self.args.trace_retention_hours}h",
                      "receivers": {"otlp": {"protocols": {"grpc": {"endpoint": "0.0.0.0:4317"},
                                                           "http": {"endpoint": "0.0.0.0:4318"}}}}},
            "persistence": {"enabled": True, "storageClassName": self.args.storage_class,
                            "size": "50Gi"},
        })
