"""Every way a resource sends, replicates, delivers, subscribes or exports data: the copy-path
table the residency policies follow (and `platformctl audit` follows live).

Each entry names the resource types, the property that points at the destination (`to`),
what the copy carries (`source`: the property naming the data it copies; none = the resource
itself; `opaque`: data the graph cannot see, always restricted), and the AWS page that says
the path exists. Paths are dotted prop paths in the engine's camelCase; `[]` walks a list.

Destination kinds (how a value becomes a region, see `copy_resolution`):
- `region`: a region name;
- `arn`: an ARN (its region field) or the name of a resource in the graph;
- `bucket`: an S3 bucket name, ARN or domain name (by the bucket's location in the graph);
- `host`: an endpoint URL or host (the region of an AWS regional host name, else unknown);
- `endpoint`: an SNS endpoint: an ARN, else a URL (`host`), else an address outside AWS;
- none (`to=()`): the resource is itself the copy, in its own region.
A destination whose region cannot be determined fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .data_stores import DATA_STORES

REPLICATION_POLICY = "residency-replication-target"
KMS_POLICY = "kms-multi-region-key"

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws-native:s3:Bucket")
LOG_GROUPS = ("aws:cloudwatch/logGroup:LogGroup", "aws-native:logs:LogGroup")
STREAMS = ("aws:kinesis/stream:Stream", "aws-native:kinesis:Stream")
TOPICS = ("aws:sns/topic:Topic", "aws-native:sns:Topic")
RDS_CLUSTERS = ("aws:rds/cluster:Cluster", "aws:docdb/cluster:Cluster",
                "aws:neptune/cluster:Cluster", "aws-native:rds:DbCluster")
GLOBAL_CLUSTERS = ("aws:rds/globalCluster:GlobalCluster", "aws:docdb/globalCluster:GlobalCluster",
                   "aws:neptune/globalCluster:GlobalCluster", "aws-native:rds:GlobalCluster")
KEYS = ("aws:kms/key:Key", "aws:kms/externalKey:ExternalKey", "aws-native:kms:Key")
DMS_ENDPOINTS = ("aws:dms/endpoint:Endpoint", "aws:dms/s3Endpoint:S3Endpoint")
# What a destination given by ARN may be when its ref names no types: an unknown ARN
# resolves among the copy's dependencies of these types (never its IAM role or the like).
ANY_DESTINATION = (
    *DATA_STORES, "aws:sns/topic:Topic", "aws:lambda/function:Function",
    "aws:cloudwatch/eventBus:EventBus", "aws:cloudwatch/eventApiDestination:EventApiDestination",
    "aws:cloudwatch/logDestination:LogDestination", "aws:sfn/stateMachine:StateMachine",
    "aws:ecs/cluster:Cluster", "aws:dms/endpoint:Endpoint", "aws:dms/s3Endpoint:S3Endpoint",
    "aws:datasync/s3Location:S3Location",
    "aws-native:sns:Topic", "aws-native:events:EventBus",
)
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
FIREHOSE_DESTINATIONS = ("extendedS3Configuration", "opensearchConfiguration",
                         "elasticsearchConfiguration", "redshiftConfiguration",
                         "httpEndpointConfiguration", "splunkConfiguration",
                         "opensearchserverlessConfiguration", "snowflakeConfiguration",
                         "icebergConfiguration")
NATIVE_FIREHOSE_DESTINATIONS = (
    "extendedS3DestinationConfiguration", "s3DestinationConfiguration",
    "amazonopensearchserviceDestinationConfiguration", "elasticsearchDestinationConfiguration",
    "redshiftDestinationConfiguration", "httpEndpointDestinationConfiguration",
    "splunkDestinationConfiguration", "amazonOpenSearchServerlessDestinationConfiguration",
    "snowflakeDestinationConfiguration", "icebergDestinationConfiguration")


@dataclass(frozen=True)
class Ref:
    """A prop path and how its value names a place (see the module docstring)."""

    path: str
    kind: str
    types: tuple[str, ...] = ANY_DESTINATION  # resources of the graph the value may name


@dataclass(frozen=True)
class CopyPath:
    id: str  # stable: plan-time findings and `platformctl audit` use it
    types: tuple[str, ...]
    what: str  # how a message names the copy
    to: tuple[Ref, ...]
    source_url: str
    source: tuple[Ref, ...] = ()
    opaque: str | None = None
    when: tuple[str, Any] | None = None  # (prop path, value): the entry applies only then
    policy: str = REPLICATION_POLICY
    live: bool = False  # `platformctl audit` follows this path in the account


def _s3(prefix: str) -> Ref:
    return Ref(f"{prefix}.bucketArn", "bucket", BUCKETS)


COPY_PATHS: tuple[CopyPath, ...] = (
    # --- replication ------------------------------------------------------------------------
    CopyPath("s3-replication", ("aws:s3/bucketReplicationConfig:BucketReplicationConfig",),
             "S3 replication",
             (Ref("rules[].destination.bucket", "bucket", BUCKETS),),
             "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html",
             source=(Ref("bucket", "bucket", BUCKETS),)),
    CopyPath("s3-inline-replication", ("aws:s3/bucket:Bucket", "aws-native:s3:Bucket"),
             "S3 replication",
             (Ref("replicationConfiguration.rules[].destination.bucket", "bucket", BUCKETS),),
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
             "aws-properties-s3-bucket-replicationconfiguration.html"),
    CopyPath("s3-bucketv2-replication", ("aws:s3/bucketV2:BucketV2",), "S3 replication",
             (Ref("replicationConfigurations[].rules[].destinations[].bucket", "bucket",
                  BUCKETS),),
             "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html"),
    CopyPath("s3-multi-region-access-point",
             ("aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint",),
             "a Multi-Region Access Point", (Ref("details.regions[].bucket", "bucket", BUCKETS),),
             "https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPoints.html",
             source=(Ref("details.regions[].bucket", "bucket", BUCKETS),)),
    CopyPath("s3-native-multi-region-access-point", ("aws-native:s3:MultiRegionAccessPoint",),
             "a Multi-Region Access Point", (Ref("regions[].bucket", "bucket", BUCKETS),),
             "https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPoints.html",
             source=(Ref("regions[].bucket", "bucket", BUCKETS),)),
    CopyPath("dynamodb-replica", ("aws:dynamodb/table:Table",), "a DynamoDB replica",
             (Ref("replicas[].regionName", "region"),
              Ref("globalTableWitness.regionName", "region")),
             "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html"),
    CopyPath("dynamodb-native-global-table", ("aws-native:dynamodb:GlobalTable",),
             "a DynamoDB replica", (Ref("replicas[].region", "region"),),
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
             "aws-resource-dynamodb-globaltable.html"),
    CopyPath("dynamodb-legacy-global-table", ("aws:dynamodb/globalTable:GlobalTable",),
             "a DynamoDB replica (legacy global table)",
             (Ref("replicas[].regionName", "region"),),
             "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
             "globaltables.V1.html",
             opaque="the tables of the legacy global table"),
    CopyPath("dynamodb-table-export", ("aws:dynamodb/tableExport:TableExport",),
             "a DynamoDB export", (Ref("s3Bucket", "bucket", BUCKETS),),
             "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
             "S3DataExport.HowItWorks.html",
             source=(Ref("tableArn", "arn", ("aws:dynamodb/table:Table",)),)),
    CopyPath("dynamodb-table-replica", ("aws:dynamodb/tableReplica:TableReplica",),
             "a DynamoDB replica (this resource)", (),
             "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html",
             source=(Ref("globalTableArn", "arn", ("aws:dynamodb/table:Table",)),)),
    CopyPath("rds-global-cluster-member", RDS_CLUSTERS,
             "a global-cluster member (this cluster)", (),
             "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
             "aurora-global-database.html",
             source=(Ref("globalClusterIdentifier", "arn", GLOBAL_CLUSTERS),)),
    CopyPath("rds-cross-region-replica", ("aws:rds/cluster:Cluster", "aws-native:rds:DbCluster"),
             "a cross-Region replica (this cluster)", (),
             "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
             "AuroraMySQL.Replication.CrossRegion.html",
             source=(Ref("replicationSourceIdentifier", "arn", RDS_CLUSTERS),)),
    CopyPath("rds-read-replica", ("aws:rds/instance:Instance",),
             "a read replica (this instance)", (),
             "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html",
             source=(Ref("replicateSourceDb", "arn", ("aws:rds/instance:Instance",)),)),
    CopyPath("elasticache-global-datastore-member",
             ("aws:elasticache/replicationGroup:ReplicationGroup",
              "aws-native:elasticache:ReplicationGroup"),
             "a global-datastore member (this replication group)", (),
             "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastore.html",
             source=(Ref("globalReplicationGroupId", "arn",
                         ("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",)),)),
    CopyPath("ecr-replication", ("aws:ecr/replicationConfiguration:ReplicationConfiguration",),
             "an ECR replica registry",
             (Ref("replicationConfiguration.rules[].destinations[].region", "region"),),
             "https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html",
             opaque="every repository of the registry"),
    CopyPath("efs-replication", ("aws:efs/replicationConfiguration:ReplicationConfiguration",),
             "an EFS replica", (Ref("destination.region", "region"),),
             "https://docs.aws.amazon.com/efs/latest/ug/efs-replication.html",
             source=(Ref("sourceFileSystemId", "arn", ("aws:efs/fileSystem:FileSystem",)),)),
    CopyPath("rds-snapshot-copy", ("aws:rds/snapshotCopy:SnapshotCopy",
                                   "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy"),
             "a snapshot copy", (Ref("destinationRegion", "region"),),
             "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CopySnapshot.html",
             opaque="a database snapshot"),
    CopyPath("rds-backup-replication",
             ("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",),
             "replicated automated backups (this resource)", (),
             "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html",
             source=(Ref("sourceDbInstanceArn", "arn", ("aws:rds/instance:Instance",)),)),
    CopyPath("redshift-snapshot-copy", ("aws:redshift/snapshotCopy:SnapshotCopy",),
             "a Redshift snapshot copy", (Ref("destinationRegion", "region"),),
             "https://docs.aws.amazon.com/redshift/latest/mgmt/cross-region-snapshot-copy.html",
             source=(Ref("clusterIdentifier", "arn", ("aws:redshift/cluster:Cluster",)),)),
    CopyPath("memorydb-multi-region-member", ("aws:memorydb/cluster:Cluster",),
             "a multi-Region cluster member (this cluster)", (),
             "https://docs.aws.amazon.com/memorydb/latest/devguide/multi-region.html",
             source=(Ref("multiRegionClusterName", "arn",
                         ("aws:memorydb/multiRegionCluster:MultiRegionCluster",)),)),
    CopyPath("dsql-multi-region", ("aws:dsql/cluster:Cluster",), "a multi-Region DSQL peer",
             (Ref("multiRegionProperties.witnessRegion", "region"),
              Ref("multiRegionProperties.clusters[]", "arn", ("aws:dsql/cluster:Cluster",))),
             "https://docs.aws.amazon.com/aurora-dsql/latest/userguide/what-is-aurora-dsql.html"),
    CopyPath("opensearch-cross-cluster", ("aws:opensearch/outboundConnection:OutboundConnection",),
             "an OpenSearch cross-cluster connection", (Ref("remoteDomainInfo.region", "region"),),
             "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/"
             "replication.html",
             source=(Ref("localDomainInfo.domainName", "arn", ("aws:opensearch/domain:Domain",)),)),
    CopyPath("redshift-datashare-consumer",
             ("aws:redshift/dataShareConsumerAssociation:DataShareConsumerAssociation",),
             "a Redshift datashare consumer", (Ref("consumerRegion", "region"),),
             "https://docs.aws.amazon.com/redshift/latest/dg/cross-region-sharing.html",
             opaque="the tables of the datashare"),
    CopyPath("secrets-manager-replica", ("aws:secretsmanager/secret:Secret",),
             "a replica secret", (Ref("replicas[].region", "region"),),
             "https://docs.aws.amazon.com/secretsmanager/latest/userguide/"
             "create-manage-multi-region-secrets.html"),
    CopyPath("snapshot-or-image-copy", ("aws:rds/snapshotCopy:SnapshotCopy",
                                        "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
                                        "aws:ebs/snapshotCopy:SnapshotCopy",
                                        "aws:ec2/amiCopy:AmiCopy"),
             "a snapshot or image copy (this resource)", (),
             "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html",
             opaque="a copied snapshot or image"),
    CopyPath("backup-copy-action", ("aws:backup/plan:Plan",), "a backup copy vault",
             (Ref("rules[].copyActions[].destinationVaultArn", "arn",
                  ("aws:backup/vault:Vault",)),),
             "https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html",
             opaque="the recovery points the plan selects"),
    CopyPath("msk-replicator", ("aws:msk/replicator:Replicator",), "MSK replication",
             (Ref("replicationInfoList.targetKafkaClusterArn", "arn",
                  ("aws:msk/cluster:Cluster",)),
              Ref("kafkaClusters[].amazonMskCluster.mskClusterArn", "arn",
                  ("aws:msk/cluster:Cluster",))),
             "https://docs.aws.amazon.com/msk/latest/developerguide/msk-replicator.html",
             opaque="the topics of the source cluster"),
    CopyPath("cloudformation-stackset-instance",
             ("aws:cloudformation/stackSetInstance:StackSetInstance",),
             "a StackSet instance", (Ref("stackSetInstanceRegion", "region"),),
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
             "stacksets-concepts.html",
             opaque="whatever the StackSet's template creates"),
    CopyPath("cloudformation-native-stackset", ("aws-native:cloudformation:StackSet",),
             "StackSet instances", (Ref("stackInstancesGroup[].regions[]", "region"),),
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
             "stacksets-concepts.html",
             opaque="whatever the StackSet's template creates"),
    # --- deliveries, subscriptions, targets -------------------------------------------------
    CopyPath("firehose-delivery", (FIREHOSE,), "Firehose delivery",
             tuple(Ref(f"{d}.bucketArn" if d == "extendedS3Configuration"
                       else f"{d}.s3Configuration.bucketArn", "bucket", BUCKETS)
                   for d in FIREHOSE_DESTINATIONS)
             + (Ref("opensearchConfiguration.domainArn", "arn"),
                Ref("elasticsearchConfiguration.domainArn", "arn"),
                Ref("opensearchConfiguration.clusterEndpoint", "host"),
                Ref("elasticsearchConfiguration.clusterEndpoint", "host"),
                Ref("redshiftConfiguration.clusterJdbcurl", "host"),
                Ref("httpEndpointConfiguration.url", "host"),
                Ref("splunkConfiguration.hecEndpoint", "host"),
                Ref("opensearchserverlessConfiguration.collectionEndpoint", "host"),
                Ref("snowflakeConfiguration.accountUrl", "host"),
                Ref("icebergConfiguration.catalogArn", "arn")),
             "https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html",
             source=(Ref("kinesisSourceConfiguration.kinesisStreamArn", "arn", STREAMS),
                     Ref("mskSourceConfiguration.mskClusterArn", "arn",
                         ("aws:msk/cluster:Cluster",))),
             live=True),
    CopyPath("firehose-native-delivery", ("aws-native:kinesisfirehose:DeliveryStream",),
             "Firehose delivery",
             tuple(Ref(f"{d}.bucketArn", "bucket", BUCKETS)
                   for d in NATIVE_FIREHOSE_DESTINATIONS[:2])
             + tuple(Ref(f"{d}.s3Configuration.bucketArn", "bucket", BUCKETS)
                     for d in NATIVE_FIREHOSE_DESTINATIONS[2:])
             + (Ref("amazonopensearchserviceDestinationConfiguration.domainArn", "arn"),
                Ref("elasticsearchDestinationConfiguration.domainArn", "arn"),
                Ref("httpEndpointDestinationConfiguration.endpointConfiguration.url", "host"),
                Ref("splunkDestinationConfiguration.hecEndpoint", "host")),
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
             "aws-resource-kinesisfirehose-deliverystream.html",
             source=(Ref("kinesisStreamSourceConfiguration.kinesisStreamArn", "arn", STREAMS),)),
    CopyPath("sns-subscription", ("aws:sns/topicSubscription:TopicSubscription",),
             "an SNS subscription", (Ref("endpoint", "endpoint"),),
             "https://docs.aws.amazon.com/sns/latest/dg/sns-cross-region-delivery.html",
             source=(Ref("topic", "arn", TOPICS),), live=True),
    CopyPath("sns-native-subscription", ("aws-native:sns:Subscription",),
             "an SNS subscription", (Ref("endpoint", "endpoint"),),
             "https://docs.aws.amazon.com/sns/latest/dg/sns-cross-region-delivery.html",
             source=(Ref("topicArn", "arn", TOPICS),)),
    CopyPath("sns-native-topic-subscription", ("aws-native:sns:Topic",),
             "an SNS subscription", (Ref("subscription[].endpoint", "endpoint"),),
             "https://docs.aws.amazon.com/sns/latest/dg/sns-cross-region-delivery.html"),
    CopyPath("eventbridge-target", ("aws:cloudwatch/eventTarget:EventTarget",),
             "an EventBridge target", (Ref("arn", "arn"),),
             "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html",
             source=(Ref("rule", "arn", ("aws:cloudwatch/eventRule:EventRule",)),), live=True),
    CopyPath("eventbridge-native-rule-target", ("aws-native:events:Rule",),
             "an EventBridge target", (Ref("targets[].arn", "arn"),),
             "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html"),
    CopyPath("eventbridge-api-destination",
             ("aws:cloudwatch/eventApiDestination:EventApiDestination",),
             "an EventBridge API destination", (Ref("invocationEndpoint", "host"),),
             "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html",
             opaque="the events routed to it"),
    CopyPath("eventbridge-global-endpoint", ("aws:cloudwatch/eventEndpoint:EventEndpoint",),
             "an EventBridge global endpoint", (Ref("eventBuses[].eventBusArn", "arn"),),
             "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-global-endpoints.html",
             opaque="the events sent to the endpoint"),
    CopyPath("eventbridge-pipe", ("aws:pipes/pipe:Pipe",), "an EventBridge pipe",
             (Ref("target", "arn"),),
             "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes.html",
             source=(Ref("source", "arn", (*STREAMS, "aws:sqs/queue:Queue",
                                           "aws:dynamodb/table:Table")),)),
    CopyPath("scheduler-target", ("aws:scheduler/schedule:Schedule",),
             "an EventBridge Scheduler target", (Ref("target.arn", "arn"),),
             "https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets.html",
             opaque="the schedule's input"),
    CopyPath("logs-subscription-filter", ("aws:cloudwatch/logSubscriptionFilter:"
                                          "LogSubscriptionFilter",),
             "a log subscription filter", (Ref("destinationArn", "arn"),),
             "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
             "CrossAccountSubscriptions.html",
             source=(Ref("logGroup", "arn", LOG_GROUPS),), live=True),
    CopyPath("logs-native-subscription-filter", ("aws-native:logs:SubscriptionFilter",),
             "a log subscription filter", (Ref("destinationArn", "arn"),),
             "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
             "CrossAccountSubscriptions.html",
             source=(Ref("logGroupName", "arn", LOG_GROUPS),)),
    CopyPath("logs-destination", ("aws:cloudwatch/logDestination:LogDestination",),
             "a log destination", (Ref("targetArn", "arn"),),
             "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
             "CreateDestination.html",
             opaque="the log events other accounts subscribe to it"),
    CopyPath("logs-delivery-destination",
             ("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",),
             "a log delivery destination",
             (Ref("deliveryDestinationConfiguration.destinationResourceArn", "arn"),),
             "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
             "AWS-logs-and-resource-policy.html",
             opaque="vended logs (they carry client addresses)"),
    CopyPath("cloudfront-standard-logging", ("aws:cloudfront/distribution:Distribution",),
             "CloudFront standard logging", (Ref("loggingConfig.bucket", "bucket", BUCKETS),),
             "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html",
             opaque="viewer request logs (viewer IP addresses are personal data)"),
    CopyPath("cloudfront-native-logging", ("aws-native:cloudfront:Distribution",),
             "CloudFront standard logging",
             (Ref("distributionConfig.logging.bucket", "bucket", BUCKETS),),
             "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html",
             opaque="viewer request logs (viewer IP addresses are personal data)"),
    CopyPath("cloudfront-realtime-logs", ("aws:cloudfront/realtimeLogConfig:RealtimeLogConfig",),
             "CloudFront real-time logs",
             (Ref("endpoint.kinesisStreamConfig.streamArn", "arn", STREAMS),),
             "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
             "real-time-logs.html",
             opaque="viewer request logs (viewer IP addresses are personal data)"),
    CopyPath("cloudtrail-delivery", ("aws:cloudtrail/trail:Trail",), "CloudTrail delivery",
             (Ref("s3BucketName", "bucket", BUCKETS),
              Ref("cloudWatchLogsGroupArn", "arn", LOG_GROUPS)),
             "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html",
             opaque="API activity (caller identities and source IP addresses)"),
    CopyPath("vpc-flow-logs", ("aws:ec2/flowLog:FlowLog",), "VPC flow logs",
             (Ref("logDestination", "bucket", (*BUCKETS, *LOG_GROUPS)),),
             "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html",
             opaque="network flows (client IP addresses)"),
    CopyPath("waf-logging", ("aws:wafv2/webAclLoggingConfiguration:"
                             "WebAclLoggingConfiguration",),
             "WAF logging", (Ref("logDestinationConfigs[]", "bucket", (*BUCKETS, *LOG_GROUPS)),),
             "https://docs.aws.amazon.com/waf/latest/developerguide/logging-destinations.html",
             opaque="web requests (client IP addresses, headers)"),
    CopyPath("config-delivery", ("aws:cfg/deliveryChannel:DeliveryChannel",),
             "AWS Config delivery", (Ref("s3BucketName", "bucket", BUCKETS),
                                     Ref("snsTopicArn", "arn", TOPICS)),
             "https://docs.aws.amazon.com/config/latest/developerguide/"
             "manage-delivery-channel.html",
             opaque="resource configurations"),
    CopyPath("resolver-query-logging", ("aws:route53/resolverQueryLogConfig:"
                                        "ResolverQueryLogConfig",),
             "Route 53 Resolver query logging", (Ref("destinationArn", "bucket",
                                                     (*BUCKETS, *LOG_GROUPS)),),
             "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs.html",
             opaque="DNS queries (client IP addresses)"),
    CopyPath("route53-query-logging", ("aws:route53/queryLog:QueryLog",),
             "Route 53 query logging", (Ref("cloudwatchLogGroupArn", "arn", LOG_GROUPS),),
             "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html",
             opaque="DNS queries (resolver IP addresses)"),
    CopyPath("dms-replication", ("aws:dms/replicationTask:ReplicationTask",
                                 "aws:dms/replicationConfig:ReplicationConfig"),
             "DMS replication", (Ref("targetEndpointArn", "arn", DMS_ENDPOINTS),),
             "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.html",
             source=(Ref("sourceEndpointArn", "arn", DMS_ENDPOINTS),)),
    CopyPath("dms-target-endpoint", ("aws:dms/endpoint:Endpoint",), "a DMS target endpoint",
             (Ref("serverName", "host"),),
             "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.html",
             opaque="the migrated database", when=("endpointType", "target")),
    CopyPath("dms-s3-target-endpoint", ("aws:dms/s3Endpoint:S3Endpoint",),
             "a DMS target endpoint", (Ref("bucketName", "bucket", BUCKETS),),
             "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html",
             opaque="the migrated database", when=("endpointType", "target")),
    CopyPath("datasync-task", ("aws:datasync/task:Task",), "a DataSync task",
             (Ref("destinationLocationArn", "arn"),),
             "https://docs.aws.amazon.com/datasync/latest/userguide/working-with-locations.html",
             opaque="the files of the source location"),
    CopyPath("lambda-async-destination",
             ("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",),
             "a Lambda destination", (Ref("destinationConfig.onSuccess.destination", "arn"),
                                      Ref("destinationConfig.onFailure.destination", "arn")),
             "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
             opaque="invocation records (the event payload)"),
    CopyPath("ses-event-destination",
             ("aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",),
             "an SES event destination",
             (Ref("eventDestination.kinesisFirehoseDestination.deliveryStreamArn", "arn"),
              Ref("eventDestination.snsDestination.topicArn", "arn", TOPICS),
              Ref("eventDestination.eventBridgeDestination.eventBusArn", "arn")),
             "https://docs.aws.amazon.com/ses/latest/dg/event-destinations-manage.html",
             opaque="email events (recipient addresses)"),
    CopyPath("cloudwatch-metric-stream", ("aws:cloudwatch/metricStream:MetricStream",),
             "a metric stream", (Ref("firehoseArn", "arn"),),
             "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/"
             "CloudWatch-Metric-Streams.html",
             opaque="metrics (their dimensions name resources and users)"),
    CopyPath("athena-query-results", ("aws:athena/workgroup:Workgroup",), "Athena query results",
             (Ref("configuration.resultConfiguration.outputLocation", "bucket", BUCKETS),),
             "https://docs.aws.amazon.com/athena/latest/ug/querying.html",
             opaque="query results (rows of the tables queried)"),
    CopyPath("cognito-messaging", ("aws:cognito/userPool:UserPool",),
             "Cognito e-mail and SMS", (Ref("emailConfiguration.sourceArn", "arn"),
                                        Ref("smsConfiguration.snsRegion", "region")),
             "https://docs.aws.amazon.com/cognito/latest/developerguide/"
             "user-pool-email.html"),
    # --- keys -------------------------------------------------------------------------------
    CopyPath("kms-replica-key", ("aws:kms/replicaKey:ReplicaKey",
                                 "aws:kms/replicaExternalKey:ReplicaExternalKey",
                                 "aws-native:kms:ReplicaKey"),
             "a KMS replica key (this key)", (),
             "https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html",
             opaque="key material that decrypts restricted data", policy=KMS_POLICY),
    CopyPath("kms-replica-primary", ("aws:kms/replicaKey:ReplicaKey",
                                     "aws:kms/replicaExternalKey:ReplicaExternalKey",
                                     "aws-native:kms:ReplicaKey"),
             "the primary of a KMS replica key", (Ref("primaryKeyArn", "arn", KEYS),),
             "https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html",
             opaque="key material that decrypts restricted data", policy=KMS_POLICY),
    CopyPath("kms-multi-region-primary", ("aws:kms/key:Key", "aws:kms/externalKey:ExternalKey",
                                          "aws-native:kms:Key"),
             "a multi-Region KMS key (this key)", (),
             "https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html",
             opaque="key material that decrypts restricted data", policy=KMS_POLICY,
             when=("multiRegion", True)),
)


@dataclass(frozen=True)
class Unseen:
    """A way data can leave that the pack does not follow, and why."""

    route: str
    why: str


UNSEEN: tuple[Unseen, ...] = (
    Unseen("S3 event notifications, S3 server access logs, S3 Inventory, ALB/NLB access logs, "
           "SQS dead-letter queues, Lambda event source mappings, RDS snapshot exports to S3 "
           "(`aws:rds/exportTask`), DynamoDB Kinesis streaming destinations",
           "AWS requires the destination in the source's region: not a way out"),
    Unseen("Export API calls made outside the program: CloudWatch Logs CreateExportTask, "
           "DynamoDB ExportTableToPointInTime (the `TableExport` resource is followed), S3 "
           "Batch Operations jobs",
           "actions run after deployment, not resources of a Pulumi program"),
    Unseen("IoT topic rule actions, AppFlow flows, Glue connections",
           "not reviewed yet: their types are not in the table"),
    Unseen("Application code (an SDK client for another region, Lambda or Glue jobs, Step "
           "Functions SDK integrations, Flink applications)",
           "the destination lives in code, not in the resource graph"),
    Unseen("CloudFront edge caches of a restricted origin",
           "CloudFront caches at every edge by design; only public content belongs behind it "
           "(tag the origin bucket public-content)"),
    Unseen("Snapshot and AMI sharing with other accounts, RAM shares",
           "the copy stays in its region; another account is not another jurisdiction"),
    Unseen("Resources of providers the pack does not know (e.g. third-party log forwarders)",
           "their types are not in the table; add an entry when a program uses one"),
)


COPY_PATHS_MARKERS = ("<!-- BEGIN COPY PATHS -->", "<!-- END COPY PATHS -->")


def markdown_table() -> str:
    """The README's table of every copy path (between the COPY_PATHS_MARKERS; print it with
    `python -m policies.copy_paths`)."""
    lines = ["| id | resource types | destination property | what it copies | policy |",
             "|---|---|---|---|---|"]
    for entry in COPY_PATHS:
        types = ", ".join(f"`{t}`" for t in entry.types)
        to = ", ".join(f"`{r.path}`" for r in entry.to) or "the resource itself (its region)"
        if entry.opaque:
            copies = f"{entry.opaque} (always restricted)"
        elif entry.source:
            copies = "the data of " + ", ".join(f"`{r.path}`" for r in entry.source)
        else:
            copies = "its own data (its data-class tag)"
        live = " (also live)" if entry.live else ""
        lines.append(f"| [`{entry.id}`]({entry.source_url}){live} | {types} | {to} | {copies} "
                     f"| `{entry.policy}` |")
    lines += ["", "Not followed:", "", "| route | why |", "|---|---|"]
    lines += [f"| {u.route} | {u.why} |" for u in UNSEEN]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
