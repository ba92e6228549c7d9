"""The resource types that keep customer data: the residency pack's store table.

One entry per service, each with the AWS page that says the service stores customer content
(reviewed against AWS's list of services, not only what this project creates). The
`data-class` tag of a store decides whether it holds restricted data; untagged is restricted.
"""

from __future__ import annotations

from dataclasses import dataclass

from .graph import S3_BUCKET_TYPES


@dataclass(frozen=True)
class StoreKind:
    service: str
    types: tuple[str, ...]
    source: str  # the AWS page describing what the service keeps


STORES: tuple[StoreKind, ...] = (
    StoreKind("S3", (*S3_BUCKET_TYPES, "aws:s3/directoryBucket:DirectoryBucket",
                     "aws:s3tables/tableBucket:TableBucket", "aws-native:s3:Bucket"),
              "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingBucket.html"),
    StoreKind("RDS / Aurora", ("aws:rds/cluster:Cluster", "aws:rds/instance:Instance",
                               "aws:rds/clusterInstance:ClusterInstance",
                               "aws-native:rds:DbCluster", "aws-native:rds:DbInstance"),
              "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Welcome.html"),
    StoreKind("DocumentDB", ("aws:docdb/cluster:Cluster",
                             "aws:docdb/clusterInstance:ClusterInstance",
                             "aws:docdb/elasticCluster:ElasticCluster",
                             "aws-native:docdbelastic:Cluster"),
              "https://docs.aws.amazon.com/documentdb/latest/developerguide/what-is.html"),
    StoreKind("Neptune", ("aws:neptune/cluster:Cluster",),
              "https://docs.aws.amazon.com/neptune/latest/userguide/intro.html"),
    StoreKind("DynamoDB", ("aws:dynamodb/table:Table", "aws:dynamodb/tableReplica:TableReplica",
                           "aws-native:dynamodb:Table", "aws-native:dynamodb:GlobalTable"),
              "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Introduction.html"),
    StoreKind("Keyspaces", ("aws:keyspaces/table:Table",),
              "https://docs.aws.amazon.com/keyspaces/latest/devguide/what-is-keyspaces.html"),
    StoreKind("Timestream", ("aws:timestreamwrite/database:Database",
                             "aws:timestreaminfluxdb/dbInstance:DbInstance"),
              "https://docs.aws.amazon.com/timestream/latest/developerguide/what-is-timestream.html"),
    StoreKind("ElastiCache", ("aws:elasticache/replicationGroup:ReplicationGroup",
                              "aws:elasticache/cluster:Cluster",
                              "aws:elasticache/serverlessCache:ServerlessCache",
                              "aws-native:elasticache:ServerlessCache",
                              "aws-native:elasticache:ReplicationGroup",
                              "aws-native:elasticache:CacheCluster"),
              "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/WhatIs.html"),
    StoreKind("MemoryDB", ("aws:memorydb/cluster:Cluster",),
              "https://docs.aws.amazon.com/memorydb/latest/devguide/what-is-memorydb.html"),
    StoreKind("OpenSearch", ("aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain",
                             "aws:opensearch/serverlessCollection:ServerlessCollection",
                             "aws-native:opensearchservice:Domain"),
              "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/what-is.html"),
    StoreKind("Redshift", ("aws:redshift/cluster:Cluster",
                           "aws:redshiftserverless/namespace:Namespace"),
              "https://docs.aws.amazon.com/redshift/latest/mgmt/welcome.html"),
    StoreKind("Kinesis / Firehose", ("aws:kinesis/stream:Stream",
                                     "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
                                     "aws:kinesis/videoStream:VideoStream",
                                     "aws-native:kinesis:Stream"),
              "https://docs.aws.amazon.com/streams/latest/dev/introduction.html"),
    StoreKind("MSK / MQ", ("aws:msk/cluster:Cluster", "aws:msk/serverlessCluster:ServerlessCluster",
                           "aws:mq/broker:Broker"),
              "https://docs.aws.amazon.com/msk/latest/developerguide/what-is-msk.html"),
    StoreKind("SQS", ("aws:sqs/queue:Queue",),
              "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
              "welcome.html"),
    StoreKind("SNS", ("aws:sns/topic:Topic", "aws-native:sns:Topic"),
              "https://docs.aws.amazon.com/sns/latest/dg/sns-data-encryption.html"),
    StoreKind("Cognito", ("aws:cognito/userPool:UserPool",),
              "https://docs.aws.amazon.com/cognito/latest/developerguide/"
              "cognito-user-identity-pools.html"),
    StoreKind("EFS / FSx / EBS", ("aws:efs/fileSystem:FileSystem", "aws-native:efs:FileSystem",
                                  "aws:fsx/lustreFileSystem:LustreFileSystem",
                                  "aws:fsx/windowsFileSystem:WindowsFileSystem",
                                  "aws:fsx/ontapFileSystem:OntapFileSystem",
                                  "aws:fsx/openZfsFileSystem:OpenZfsFileSystem",
                                  "aws:ebs/volume:Volume"),
              "https://docs.aws.amazon.com/efs/latest/ug/whatisefs.html"),
    StoreKind("Backup / Glacier", ("aws:backup/vault:Vault",
                                   "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault",
                                   "aws:glacier/vault:Vault", "aws-native:backup:BackupVault"),
              "https://docs.aws.amazon.com/aws-backup/latest/devguide/vaults.html"),
    StoreKind("QLDB / Aurora DSQL", ("aws:qldb/ledger:Ledger", "aws:dsql/cluster:Cluster"),
              "https://docs.aws.amazon.com/aurora-dsql/latest/userguide/what-is-aurora-dsql.html"),
    StoreKind("CloudWatch Logs", ("aws:cloudwatch/logGroup:LogGroup", "aws-native:logs:LogGroup"),
              "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
              "WhatIsCloudWatchLogs.html"),
    StoreKind("Pinpoint / Connect", ("aws:pinpoint/app:App", "aws:connect/instance:Instance"),
              "https://docs.aws.amazon.com/connect/latest/adminguide/data-handled-by-connect.html"),
)

DATA_STORES: tuple[str, ...] = tuple(t for kind in STORES for t in kind.types)
