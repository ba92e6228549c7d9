"""Kubernetes monitoring: Prometheus, Alertmanager, Grafana, Loki and an OpenTelemetry collector.

Installed with Helm (pinned chart versions) through the cluster's `pulumi_kubernetes.Provider`.
Two namespaces, because node agents need host access and the rest must not have it:
`monitoring` (Pod Security `baseline` enforced, `restricted` warned) for Prometheus,
Alertmanager, Grafana and Loki; `monitoring-node` (`privileged`) only for the node exporter
and the collector daemonset that read host metrics and pod logs. Both deny ingress by
default. Loki keeps its data in a telemetry bucket of the stack's region, reached through
EKS Pod Identity. The managed path (Amazon Managed Prometheus + Managed Grafana) is an option.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.aws_context import AwsContext
from components.iam import pod_identity_role, policy_document, service_role
from components.k8s_baseline import zone_spread
from components.kms import customer_key
from components.labels import child_name, resource_tags
from components.logs import LOGS_SERVICE, check_log_retention, encrypted_log_group
from components.observability import telemetry_store

CHART_VERSIONS: dict[str, str] = {
    "kube-prometheus-stack": "72.6.2",
    "loki": "6.29.0",
    "opentelemetry-collector": "0.104.0",
}
CHART_REPOSITORIES: dict[str, str] = {
    "kube-prometheus-stack": "https://prometheus-community.github.io/helm-charts",
    "loki": "https://grafana.github.io/helm-charts",
    "opentelemetry-collector": "https://open-telemetry.github.io/opentelemetry-helm-charts",
}
LOKI_SERVICE_ACCOUNT = "loki"
PROMETHEUS_SERVICE_ACCOUNT = "kube-prometheus-stack-prometheus"
ALERT_SECRET_KEY = "url"
THANOS_SECRET, THANOS_SECRET_KEY = "thanos-objstore", "objstore.yml"
# Loki's SimpleScalable deployments (chart values sections, each with its own pods).
LOKI_TARGETS = ("read", "write", "backend", "gateway")
KPS_RELEASE, LOKI_RELEASE, OTEL_RELEASE = "kube-prometheus-stack", "loki", "otel-collector"


@dataclass(frozen=True, kw_only=True)
class K8sMonitoringSettings:
    namespace: str = "monitoring"
    """Namespace of Prometheus, Alertmanager, Grafana and Loki (node agents go to
    `<namespace>-node`)."""
    prometheus_retention: str = "15d"
    """Prometheus TSDB retention."""
    prometheus_storage_gi: int = 50
    """Size of Prometheus's persistent volume in GiB."""
    storage_class: str = "gp3"
    """StorageClass of the Prometheus, Alertmanager and Grafana volumes; the component
    creates it (EBS CSI gp3, encrypted, retained, bound where the pod lands)."""
    loki_retention_days: int = 30
    """Days Loki keeps logs (compactor retention; the bucket expires objects a day later)."""
    managed_prometheus: bool = False
    """Also create Amazon Managed Prometheus (KMS-encrypted, Prometheus remote-writes to it)
    and Amazon Managed Grafana (with its role); for prod's managed path."""
    long_term_metrics_days: int = 395
    """Without managed Prometheus: the Thanos sidecar uploads Prometheus's blocks to an S3
    bucket of the stack's region (KMS, in the jurisdiction), kept this many days; 0 = off."""
    chart_versions: Mapping[str, str] = field(default_factory=lambda: dict(CHART_VERSIONS))
    """Pinned chart versions; every chart needs an exact version (no ranges, no 'latest')."""
    chat_kind: Literal["webhook", "slack"] = "webhook"
    """What the chat webhook is: a generic `webhook` (default, Alertmanager's JSON) or a
    Slack incoming webhook (`slack`: Slack's message format)."""
    chat_severities: tuple[str, ...] = ()
    """Only alerts whose `severity` label is one of these go to chat (e.g. `critical`);
    empty (default) sends every alert."""
    zone_spread: bool = False
    """Spread the Prometheus, Alertmanager, Grafana and Loki pods evenly over AZs (topology
    spread, maxSkew 1; the node agents are daemonsets, on every node anyway)."""

    def __post_init__(self) -> None:
        if self.chat_kind not in ("webhook", "slack"):
            raise ValueError(f"chat_kind: '{self.chat_kind}' is unknown; use webhook or slack")
        for severity in self.chat_severities:
            if not severity.isidentifier():
                raise ValueError(f"chat_severities: '{severity}' is not a severity label value; "
                                 "write it like critical")
        missing = sorted(set(CHART_VERSIONS) - set(self.chart_versions))
        if missing:
            raise ValueError(f"chart_versions: no version for {', '.join(missing)}; pin each "
                             "chart to an exact version like 1.2.3")
        for chart, version in self.chart_versions.items():
            parts = version.split(".")
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                raise ValueError(f"chart_versions: '{chart}' is '{version}', not an exact "
                                 "version; pin it like 1.2.3")
        if self.prometheus_storage_gi < 1:
            raise ValueError("prometheus_storage_gi: must be at least 1")
        retention = self.prometheus_retention
        if not retention[:-1].isdigit() or retention[-1:] not in ("h", "d", "w", "y"):
            raise ValueError(f"prometheus_retention: '{self.prometheus_retention}' is not a "
                             "Prometheus duration; write it like 15d")
        if self.loki_retention_days < 1:
            raise ValueError("loki_retention_days: must be at least 1")
        if self.long_term_metrics_days < 0:
            raise ValueError("long_term_metrics_days: must be 0 (off) or more")


@dataclass(frozen=True, kw_only=True)
class K8sMonitoringArgs(K8sMonitoringSettings):
    kubernetes_provider: k8s.Provider
    """Provider of the EKS cluster (the Eks component's `kubernetes_provider`)."""
    cluster_name: pulumi.Input[str]
    """EKS cluster name, for the Pod Identity associations."""
    region: str
    """The stack's region (Loki's bucket and the managed workspaces live here)."""
    chat_webhook_url: pulumi.Input[str] | None = None
    """Webhook Alertmanager sends to (a Pulumi secret; stored in a Kubernetes Secret and read
    by Alertmanager from a file); None routes alerts nowhere but keeps them in the UI."""
    log_retention_days: int = 365
    """Retention of the managed Prometheus workspace's log group (managed path)."""
    protect: bool = True
    """Protect and retain the Loki bucket."""
    access_log_bucket: pulumi.Input[str] | None = None
    """Name of an S3 access-log `LogBucket` in this region (the stack's
    `storage-access-logs`) for the Loki bucket's server access logs; None (default) = the
    Loki bucket's ObjectStore creates its own."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_log_retention("log_retention_days", self.log_retention_days)
        if not self.region:
            raise ValueError("region: empty; pass the stack's region (spec.region)")


class K8sMonitoring(pulumi.ComponentResource):
    """Monitoring stack inside an EKS cluster, plus its AWS side (Loki bucket, roles)."""

    namespace: str
    """Namespace of the monitoring stack."""
    loki_bucket_name: pulumi.Output[str]
    """Loki's object store (tagged data-class telemetry, in the stack's region)."""
    metrics_bucket_name: pulumi.Output[str] | None
    """The Thanos sidecar's long-term metrics bucket (stack region); None when off or managed."""
    release_names: list[str]
    """Helm releases installed."""
    prometheus_workspace_id: pulumi.Output[str] | None
    """Amazon Managed Prometheus workspace (managed path only)."""
    grafana_workspace_endpoint: pulumi.Output[str] | None
    """Amazon Managed Grafana URL (managed path only)."""

    def __init__(self, name: str, args: K8sMonitoringArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:k8s_monitoring:K8sMonitoring", name, None, opts)
        self._name = name
        self.args = args
        self._ctx = AwsContext.of(self)
        self.namespace = args.namespace
        self._node_namespace = f"{args.namespace}-node"
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.kubernetes_provider)
        self._k8s = k8s_opts
        self._associations: dict[str, aws.eks.PodIdentityAssociation] = {}

        namespaces = self._namespaces()
        self._network_policies(namespaces)
        loki_role = self._loki_storage()
        self.prometheus_workspace_id = self.grafana_workspace_endpoint = None
        remote_write = None
        self.metrics_bucket_name = None
        deps = [*namespaces.values(), self._storage_class()]
        if args.managed_prometheus:
            remote_write = self._managed_prometheus()
        elif args.long_term_metrics_days:
            deps.append(self._metrics_storage(namespaces[self.namespace]))
        self.release_names = []
        # Loki's pods need their Pod Identity credentials from the first start.
        self._loki_release(deps + [loki_role, *self._associations.values()])
        operator = self._prometheus_release([*deps, *self._associations.values()], remote_write)
        # The collector renders a PodMonitor: its CRD comes with the Prometheus Operator.
        self._otel_release([*deps, operator])

        self.register_outputs({
            "namespace": self.namespace,
            "lokiBucketName": self.loki_bucket_name,
            "releaseNames": self.release_names,
            "prometheusWorkspaceId": self.prometheus_workspace_id,
            "grafanaWorkspaceEndpoint": self.grafana_workspace_endpoint,
        })

    def _child(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)

    # ---- namespaces and network policies ------------------------------------------------

    def _namespaces(self) -> dict[str, k8s.core.v1.Namespace]:
        levels = {self.namespace: "baseline", self._node_namespace: "privileged"}
        created = {}
        for namespace, enforce in levels.items():
            created[namespace] = k8s.core.v1.Namespace(
                child_name(self._name, f"ns-{namespace}"),
                metadata=k8s.meta.v1.ObjectMetaArgs(name=namespace, labels={
                    "pod-security.kubernetes.io/enforce": enforce,
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "app.kubernetes.io/part-of": "monitoring",
                }),
                opts=self._k8s)
        return created

    def _policy(self, role: str, namespace: k8s.core.v1.Namespace, *,
                pod_selector: dict[str, Any] | None = None,
                ingress: list[dict[str, Any]] | None = None) -> None:
        k8s.networking.v1.NetworkPolicy(
            child_name(self._name, role),
            metadata={"name": role, "namespace": namespace.metadata["name"]},
            spec={"podSelector": pod_selector or {}, "policyTypes": ["Ingress"],
                  "ingress": ingress or []},
            opts=self._k8s)

    def _network_policies(self, namespaces: dict[str, k8s.core.v1.Namespace]) -> None:
        main, node = namespaces[self.namespace], namespaces[self._node_namespace]
        in_ns = lambda ns: {"namespaceSelector": {"matchLabels": {  # noqa: E731
            "kubernetes.io/metadata.name": ns}}}
        prometheus = {**in_ns(self.namespace),
                      "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}
        self._policy("default-deny-ingress", main)
        self._policy("default-deny-ingress-node", node)
        self._policy("allow-same-namespace", main, ingress=[{"from": [{"podSelector": {}}]}])
        # Log pushes from the collector daemonset into Loki's gateway.
        self._policy("allow-logs-from-node-agents", main,
                     pod_selector={"matchLabels": {"app.kubernetes.io/name": "loki"}},
                     ingress=[{"from": [in_ns(self._node_namespace)],
                               "ports": [{"port": 8080}, {"port": 3100}]}])
        # The API server calls the operator's admission webhook.
        self._policy("allow-operator-webhook", main,
                     pod_selector={"matchLabels": {"app": "kube-prometheus-stack-operator"}},
                     ingress=[{"ports": [{"port": 10250}]}])
        self._policy("allow-prometheus-scrape", node,
                     ingress=[{"from": [prometheus]}])
        # Workloads in any namespace send OTLP to the collector.
        self._policy("allow-otlp", node,
                     pod_selector={"matchLabels": {"app.kubernetes.io/name":
                                                   "opentelemetry-collector"}},
                     ingress=[{"from": [{"namespaceSelector": {}}],
                               "ports": [{"port": 4317}, {"port": 4318}]}])

    # ---- volumes --------------------------------------------------------------------

    def _storage_class(self) -> k8s.storage.v1.StorageClass:
        """`args.storage_class` for the volumes: encrypted gp3 through the EBS CSI driver,
        kept when the claim goes (Retain), created in the AZ of the pod that claims it."""
        return k8s.storage.v1.StorageClass(
            child_name(self._name, "storage-class"),
            # The cluster's default class: EKS 1.30+ ships none, and charts that take the
            # default (Loki 6.x persistence) would otherwise leave their claims Pending.
            metadata=k8s.meta.v1.ObjectMetaArgs(name=self.args.storage_class, annotations={
                "storageclass.kubernetes.io/is-default-class": "true"}),
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true"},
            reclaim_policy="Retain",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=self._k8s)

    # ---- Loki storage -----------------------------------------------------------------

    def _pod_identity_role(self, role: str, policy: pulumi.Input[str], service_account: str,
                           namespace: str) -> aws.iam.Role:
        role_name = child_name(self._name, role)
        iam_role = pod_identity_role(self._name, role, parent=self, aws_context=self._ctx,
                                     source_account=True,
                                     inline_policies={f"{role}-policy": policy})
        association = aws.eks.PodIdentityAssociation(
            f"{role_name}-association", cluster_name=self.args.cluster_name,
            namespace=namespace, service_account=service_account, role_arn=iam_role.arn,
            tags=resource_tags(f"{role_name}-association"), opts=self._child())
        self._associations[role] = association
        return iam_role

    def _loki_storage(self) -> aws.iam.Role:
        store = telemetry_store(self, child_name(self._name, "loki"), protect=self.args.protect,
                                expire_after_days=self.args.loki_retention_days + 1,
                                access_log_bucket=self.args.access_log_bucket)
        self.loki_bucket_name = store.bucket_name
        policy = pulumi.Output.all(store.bucket_arn, store.kms_key_arn).apply(
            lambda a: policy_document([
                {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": a[0]},
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                 "Resource": f"{a[0]}/*"},
                {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                 "Resource": a[1]},
            ]))
        return self._pod_identity_role("loki-role", policy, LOKI_SERVICE_ACCOUNT, self.namespace)

    def _metrics_storage(self, namespace: k8s.core.v1.Namespace) -> k8s.core.v1.Secret:
        """The Thanos sidecar's bucket, its Pod Identity role (Prometheus's service account)
        and the objstore Secret the sidecar reads."""
        args = self.args
        store = telemetry_store(self, child_name(self._name, "metrics"), protect=args.protect,
                                expire_after_days=args.long_term_metrics_days,
                                access_log_bucket=args.access_log_bucket)
        self.metrics_bucket_name = store.bucket_name
        policy = pulumi.Output.all(store.bucket_arn, store.kms_key_arn).apply(
            lambda a: policy_document([
                {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": a[0]},
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                 "Resource": f"{a[0]}/*"},
                {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                 "Resource": a[1]},
            ]))
        self._pod_identity_role("prometheus-role", policy, PROMETHEUS_SERVICE_ACCOUNT,
                                self.namespace)
        objstore = pulumi.Output.all(store.bucket_name, store.kms_key_arn).apply(
            lambda a: json.dumps({"type": "S3", "config": {
                "bucket": a[0], "endpoint": f"s3.{args.region}.amazonaws.com",
                "region": args.region, "sse_config": {"type": "SSE-KMS", "kms_key_id": a[1]}}}))
        return k8s.core.v1.Secret(
            child_name(self._name, "thanos-objstore"),
            metadata={"name": THANOS_SECRET, "namespace": self.namespace}, type="Opaque",
            string_data={THANOS_SECRET_KEY: objstore},
            opts=pulumi.ResourceOptions.merge(self._k8s,
                                              pulumi.ResourceOptions(depends_on=[namespace])))

    # ---- managed path -----------------------------------------------------------------

    def _managed_prometheus(self) -> dict[str, Any]:
        args, ctx = self.args, self._ctx
        key = customer_key(self._name, "amp-key", description=f"{self._name} managed Prometheus",
                           parent=self, services=[LOGS_SERVICE], aws_context=ctx)
        log_group = encrypted_log_group(child_name(self._name, "amp-logs"),
                                        retention_days=args.log_retention_days,
                                        kms_key_arn=key.arn, parent=self)
        workspace_name = child_name(self._name, "amp")
        workspace = aws.amp.Workspace(
            workspace_name, alias=workspace_name, kms_key_arn=key.arn,
            logging_configuration=aws.amp.WorkspaceLoggingConfigurationArgs(
                log_group_arn=pulumi.Output.concat(log_group.arn, ":*")),
            tags=resource_tags(workspace_name), opts=self._child())
        self.prometheus_workspace_id = workspace.id
        write_policy = workspace.arn.apply(lambda arn: policy_document(
            [{"Effect": "Allow", "Action": ["aps:RemoteWrite"], "Resource": arn}]))
        self._pod_identity_role("prometheus-role", write_policy, PROMETHEUS_SERVICE_ACCOUNT,
                                self.namespace)

        grafana_role = service_role(
            self._name, "grafana-role", services="grafana.amazonaws.com", parent=self,
            aws_context=ctx,
            managed_policies={f"grafana-{policy.lower()}": policy for policy in (
                "AmazonPrometheusQueryAccess", "CloudWatchReadOnlyAccess")})
        grafana_name = child_name(self._name, "grafana")
        grafana = aws.grafana.Workspace(
            grafana_name, name=grafana_name,
            account_access_type="CURRENT_ACCOUNT", authentication_providers=["AWS_SSO"],
            permission_type="SERVICE_MANAGED", data_sources=["PROMETHEUS", "CLOUDWATCH"],
            role_arn=grafana_role.arn, kms_key_id=key.arn,
            description="Dashboards over the managed Prometheus workspace and CloudWatch",
            tags=resource_tags(grafana_name), opts=self._child())
        self.grafana_workspace_endpoint = grafana.endpoint
        return {
            "url": pulumi.Output.concat(workspace.prometheus_endpoint, "api/v1/remote_write"),
            "sigv4": {"region": args.region},
        }

    # ---- Helm releases ----------------------------------------------------------------

    def _release(self, release: str, chart: str, namespace: str, values: Mapping[str, Any],
                 depends_on: list[pulumi.Resource]) -> k8s.helm.v3.Release:
        self.release_names.append(release)
        return k8s.helm.v3.Release(
            child_name(self._name, release),
            name=release,
            chart=chart,
            version=self.args.chart_versions[chart],
            namespace=namespace,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CHART_REPOSITORIES[chart]),
            atomic=True,
            cleanup_on_fail=True,
            timeout=900,
            values=values,
            opts=pulumi.ResourceOptions(parent=self, provider=self.args.kubernetes_provider,
                                        depends_on=depends_on))

    def _loki_release(self, depends_on: list[pulumi.Resource]) -> None:
        bucket = self.loki_bucket_name
        values = {
            "deploymentMode": "SimpleScalable",
            "serviceAccount": {"create": True, "name": LOKI_SERVICE_ACCOUNT},
            "minio": {"enabled": False},
            "loki": {
                "auth_enabled": False,
                "schemaConfig": {"configs": [{
                    "from": "2024-01-01", "store": "tsdb", "object_store": "s3",
                    "schema": "v13", "index": {"prefix": "index_", "period": "24h"}}]},
                "storage": {
                    "type": "s3",
                    "bucketNames": {"chunks": bucket, "ruler": bucket, "admin": bucket},
                    "s3": {"region": self.args.region},
                },
                "limits_config": {"retention_period": f"{self.args.loki_retention_days * 24}h"},
                "compactor": {"retention_enabled": True,
                              "delete_request_store": "s3"},
            },
        }
        if self.args.zone_spread:
            for target in LOKI_TARGETS:
                values[target] = {"topologySpreadConstraints": zone_spread(
                    {"app.kubernetes.io/name": "loki", "app.kubernetes.io/component": target})}
        self._release(LOKI_RELEASE, "loki", self.namespace, values, depends_on)

    def _prometheus_release(self, depends_on: list[pulumi.Resource],
                            remote_write: dict[str, Any] | None) -> k8s.helm.v3.Release:
        args = self.args
        alert_secret_name = "alertmanager-chat-webhook"
        receivers: list[dict[str, Any]] = [{"name": "null"}]
        route: dict[str, Any] = {"receiver": "null", "group_by": ["alertname", "namespace"],
                                 "routes": [{"receiver": "null",
                                             "matchers": ['alertname = "Watchdog"']}]}
        alertmanager_spec: dict[str, Any] = {
            "storage": _volume(args.storage_class, 10)}
        deps = list(depends_on)
        if args.chat_webhook_url is not None:
            secret = k8s.core.v1.Secret(
                child_name(self._name, "alert-webhook"),
                metadata={"name": alert_secret_name, "namespace": self.namespace},
                type="Opaque",
                string_data={ALERT_SECRET_KEY: pulumi.Output.secret(args.chat_webhook_url)},
                opts=self._k8s)
            deps.append(secret)
            # Alertmanager reads the URL from the mounted Secret: it is never in the values.
            url_file = f"/etc/alertmanager/secrets/{alert_secret_name}/{ALERT_SECRET_KEY}"
            receivers.append({"name": "chat", **(
                {"slack_configs": [{"send_resolved": True, "api_url_file": url_file}]}
                if args.chat_kind == "slack" else
                {"webhook_configs": [{"send_resolved": True, "url_file": url_file}]})})
            if args.chat_severities:
                severities = "|".join(args.chat_severities)
                route["routes"].append({"receiver": "chat",
                                        "matchers": [f'severity =~ "{severities}"']})
            else:
                route["receiver"] = "chat"
            alertmanager_spec["secrets"] = [alert_secret_name]

        admin = random.RandomPassword(child_name(self._name, "grafana-admin-password"),
                                      length=32, special=False, opts=self._child())
        admin_secret = k8s.core.v1.Secret(
            child_name(self._name, "grafana-admin"),
            metadata={"name": "grafana-admin", "namespace": self.namespace}, type="Opaque",
            string_data={"admin-user": "admin", "admin-password": admin.result},
            opts=self._k8s)
        deps.append(admin_secret)
        k8s.core.v1.ConfigMap(
            child_name(self._name, "dashboard-logs"),
            metadata={"name": "platform-logs-dashboard", "namespace": self.namespace,
                      "labels": {"grafana_dashboard": "1"}},
            data={"platform-logs.json": json.dumps(_logs_dashboard())},
            opts=self._k8s)

        prometheus_spec: dict[str, Any] = {
            "retention": args.prometheus_retention,
            "storageSpec": _volume(args.storage_class, args.prometheus_storage_gi),
            # Scrape every ServiceMonitor/PodMonitor, not only this release's.
            "serviceMonitorSelectorNilUsesHelmValues": False,
            "podMonitorSelectorNilUsesHelmValues": False,
            "ruleSelectorNilUsesHelmValues": False,
        }
        if remote_write is not None:
            prometheus_spec["remoteWrite"] = [remote_write]
        elif args.long_term_metrics_days:
            prometheus_spec["thanos"] = {"objectStorageConfig": {"existingSecret": {
                "name": THANOS_SECRET, "key": THANOS_SECRET_KEY}}}
        grafana_spread: dict[str, Any] = {}
        if args.zone_spread:
            prometheus_spec["topologySpreadConstraints"] = zone_spread(
                {"app.kubernetes.io/name": "prometheus"})
            alertmanager_spec["topologySpreadConstraints"] = zone_spread(
                {"app.kubernetes.io/name": "alertmanager"})
            grafana_spread["topologySpreadConstraints"] = zone_spread(
                {"app.kubernetes.io/name": "grafana"})
        values = {
            "fullnameOverride": "kube-prometheus-stack",
            "prometheus": {"prometheusSpec": prometheus_spec,
                           "serviceAccount": {"name": PROMETHEUS_SERVICE_ACCOUNT}},
            "alertmanager": {"config": {"route": route, "receivers": receivers},
                             "alertmanagerSpec": alertmanager_spec},
            "prometheus-node-exporter": {"namespaceOverride": self._node_namespace},
            "grafana": {
                "enabled": True,
                "admin": {"existingSecret": "grafana-admin", "userKey": "admin-user",
                          "passwordKey": "admin-password"},
                "persistence": {"enabled": True, "storageClassName": args.storage_class,
                                "size": "10Gi"},
                "sidecar": {"dashboards": {"enabled": True, "label": "grafana_dashboard",
                                           "searchNamespace": "ALL"}},
                "additionalDataSources": [{
                    "name": "Loki", "type": "loki", "access": "proxy",
                    "url": f"http://loki-gateway.{self.namespace}.svc.cluster.local"}],
                **grafana_spread,
            },
        }
        return self._release(KPS_RELEASE, "kube-prometheus-stack", self.namespace, values, deps)

    def _otel_release(self, depends_on: list[pulumi.Resource]) -> None:
        values = {
            "mode": "daemonset",
            "image": {"repository": "otel/opentelemetry-collector-contrib"},
            "presets": {"logsCollection": {"enabled": True},
                        "kubernetesAttributes": {"enabled": True},
                        "kubeletMetrics": {"enabled": True}},
            "config": {
                "exporters": {
                    "otlphttp/loki": {
                        "endpoint": f"http://loki-gateway.{self.namespace}.svc.cluster.local/otlp"},
                    "prometheus": {"endpoint": "0.0.0.0:8889"},
                },
                "service": {"pipelines": {
                    "logs": {"exporters": ["otlphttp/loki"]},
                    "metrics": {"exporters": ["prometheus"]},
                }},
            },
            "ports": {"metrics": {"enabled": True, "containerPort": 8889, "servicePort": 8889,
                                  "protocol": "TCP"}},
            "podMonitor": {"enabled": True},
        }
        self._release(OTEL_RELEASE, "opentelemetry-collector", self._node_namespace, values,
                      depends_on)


def _volume(storage_class: str, size_gi: int) -> dict[str, Any]:
    return {"volumeClaimTemplate": {"spec": {
        "storageClassName": storage_class, "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": f"{size_gi}Gi"}}}}}


def _logs_dashboard() -> dict[str, Any]:
    """A small Grafana dashboard over Loki: error log rate per namespace and recent errors."""
    return {
        "title": "Platform logs",
        "uid": "platform-logs",
        "schemaVersion": 39,
        "panels": [
            {"type": "timeseries", "title": "Error lines per namespace",
             "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
             "datasource": {"type": "loki", "uid": ""},
             "targets": [{"expr": 'sum by (k8s_namespace_name) (rate({k8s_namespace_name=~".+"}'
                                  ' |~ "(?i)error" [5m]))'}]},
            {"type": "logs", "title": "Recent errors",
             "gridPos": {"x": 0, "y": 8, "w": 24, "h": 12},
             "datasource": {"type": "loki", "uid": ""},
             "targets": [{"expr": '{k8s_namespace_name=~".+"} |~ "(?i)error"'}]},
        ],
    }
