"""Warehouses and search: Redshift clusters and OpenSearch / Elasticsearch domains are
encrypted at rest (OpenSearch also between its nodes).

Redshift encrypts new provisioned clusters by default (since January 2025), so only an
explicit `encrypted=false` is refused; Redshift Serverless namespaces are always encrypted.
An OpenSearch domain without an `encrypt_at_rest` block is unencrypted (provider default).
EFS is judged by `storage-encrypted`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Report, stack_policy
from .graph import UNKNOWN, Graph, get, label, truthy

REDSHIFT = ("aws:redshift/cluster:Cluster", "aws-native:redshift:Cluster")
# type -> (at-rest path, node-to-node path)
SEARCH_DOMAINS = {
    "aws:opensearch/domain:Domain": (("encryptAtRest", "enabled"),
                                     ("nodeToNodeEncryption", "enabled")),
    "aws:elasticsearch/domain:Domain": (("encryptAtRest", "enabled"),
                                        ("nodeToNodeEncryption", "enabled")),
    "aws-native:opensearchservice:Domain": (("encryptionAtRestOptions", "enabled"),
                                            ("nodeToNodeEncryptionOptions", "enabled")),
}


def _off(value: Any) -> bool:
    return value is not UNKNOWN and not truthy(value)


def check_warehouse_encrypted(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for cluster in graph.of_type(*REDSHIFT):
        value = get(cluster.props, "encrypted")
        if value is False or (isinstance(value, str) and value.lower() == "false"):
            report(cluster, f"Redshift cluster {label(cluster)} is unencrypted at rest "
                            "(encrypted=false); set encrypted=True with a customer KMS key "
                            "(kms_key_id)")
    for type_token, (at_rest, in_transit) in SEARCH_DOMAINS.items():
        for domain in graph.of_type(type_token):
            if _off(get(domain.props, *at_rest)):
                report(domain, f"search domain {label(domain)} is unencrypted at rest; set "
                               "encrypt_at_rest enabled=True (with kms_key_id)")
            if _off(get(domain.props, *in_transit)):
                report(domain, f"search domain {label(domain)} does not encrypt traffic "
                               "between its nodes; set node_to_node_encryption enabled=True")


POLICIES = [
    stack_policy(
        "warehouse-encrypted",
        "Redshift clusters and OpenSearch/Elasticsearch domains are encrypted at rest "
        "(domains also node-to-node).",
        check_warehouse_encrypted,
        remediation="Turn on encryption at rest (and node-to-node for search domains).",
    ),
]
