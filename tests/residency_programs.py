"""Small Pulumi programs for the residency tests: one per copy path of policies/copy_paths.py.

Each `build(destination)` creates its source in HOME and sends it to `destination`: the
same program is compliant with an allowed destination and violating with any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

HOME = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/copier"
PII = {"data-class": "user-pii"}


def arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


def aws_in(region: str, name: str | None = None, tags: dict[str, str] | None = None
           ) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=aws.Provider(
        name or f"aws-{region}", region=region,
        default_tags=aws.ProviderDefaultTagsArgs(tags={"environment": "prod", **(tags or {})})))


def native_in(region: str, name: str | None = None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=aws_native.Provider(name or f"native-{region}",
                                                               region=region))


def home() -> pulumi.ResourceOptions:
    return aws_in(HOME)


def away(region: str) -> pulumi.ResourceOptions:
    return aws_in(region, name="aws-away")


def bucket(name: str, opts: pulumi.ResourceOptions, data_class: str = "user-pii"
           ) -> aws.s3.Bucket:
    return aws.s3.Bucket(name, tags={"data-class": data_class}, opts=opts)


def log_group(name: str, opts: pulumi.ResourceOptions) -> aws.cloudwatch.LogGroup:
    return aws.cloudwatch.LogGroup(name, retention_in_days=30, tags={"data-class": "telemetry"},
                                   opts=opts)


def rds_cluster(name: str, opts: pulumi.ResourceOptions, **args: Any) -> aws.rds.Cluster:
    return aws.rds.Cluster(name, engine="aurora-postgresql", storage_encrypted=True,
                           tags=PII, opts=opts, **args)


def rds_instance(name: str, opts: pulumi.ResourceOptions, **args: Any) -> aws.rds.Instance:
    return aws.rds.Instance(name, engine="postgres", instance_class="db.t4g.micro",
                            allocated_storage=20, storage_encrypted=True, tags=PII, opts=opts,
                            **args)


def redis(name: str, opts: pulumi.ResourceOptions, **args: Any
          ) -> aws.elasticache.ReplicationGroup:
    return aws.elasticache.ReplicationGroup(name, description="sessions", engine="redis",
                                            node_type="cache.r7g.large", tags=PII, opts=opts,
                                            **args)


def dynamo(name: str, opts: pulumi.ResourceOptions, **args: Any) -> aws.dynamodb.Table:
    return aws.dynamodb.Table(name, billing_mode="PAY_PER_REQUEST", hash_key="id",
                              attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
                              tags=PII, opts=opts, **args)


def distribution(name: str, opts: pulumi.ResourceOptions, **args: Any
                 ) -> aws.cloudfront.Distribution:
    return aws.cloudfront.Distribution(
        name, enabled=True, opts=opts,
        origins=[aws.cloudfront.DistributionOriginArgs(domain_name="origin.example.com",
                                                       origin_id="origin")],
        default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
            target_origin_id="origin", allowed_methods=["GET", "HEAD"],
            cached_methods=["GET", "HEAD"], viewer_protocol_policy="redirect-to-https"),
        restrictions=aws.cloudfront.DistributionRestrictionsArgs(
            geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                restriction_type="none")),
        viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
            cloudfront_default_certificate=True), **args)


# --- one program per copy path ---------------------------------------------------------------

def s3_replication(to: str) -> None:
    source, replica = bucket("source", home()), bucket("replica", away(to), "public-content")
    aws.s3.BucketReplicationConfig(
        "source-replication", bucket=source.id, role=ROLE, opts=home(),
        rules=[aws.s3.BucketReplicationConfigRuleArgs(
            status="Enabled", destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                bucket=replica.arn))])


def s3_inline_replication(to: str) -> None:
    replica = bucket("replica", away(to), "public-content")
    aws.s3.Bucket("source", tags=PII, opts=home(),
                  replication_configuration=aws.s3.BucketReplicationConfigurationArgs(
                      role=ROLE, rules=[aws.s3.BucketReplicationConfigurationRuleArgs(
                          status="Enabled",
                          destination=aws.s3.BucketReplicationConfigurationRuleDestinationArgs(
                              bucket=replica.arn))]))


def s3_bucketv2_replication(to: str) -> None:
    replica = bucket("replica", away(to), "public-content")
    aws.s3.BucketV2("source", tags=PII, opts=home(), replication_configurations=[
        aws.s3.BucketV2ReplicationConfigurationArgs(role=ROLE, rules=[
            aws.s3.BucketV2ReplicationConfigurationRuleArgs(status="Enabled", destinations=[
                aws.s3.BucketV2ReplicationConfigurationRuleDestinationArgs(
                    bucket=replica.arn)])])])


def s3_multi_region_access_point(to: str) -> None:
    buckets = [bucket("primary", home()), bucket("secondary", away(to), "public-content")]
    aws.s3control.MultiRegionAccessPoint(
        "mrap", opts=home(), details=aws.s3control.MultiRegionAccessPointDetailsArgs(
            name="media", regions=[aws.s3control.MultiRegionAccessPointDetailsRegionArgs(
                bucket=b.bucket) for b in buckets]))


def s3_native_multi_region_access_point(to: str) -> None:
    buckets = [bucket("primary", home()), bucket("secondary", away(to), "public-content")]
    aws_native.s3.MultiRegionAccessPoint("mrap", opts=native_in(HOME), regions=[
        aws_native.s3.MultiRegionAccessPointRegionArgs(bucket=b.bucket) for b in buckets])


def dynamodb_replica(to: str) -> None:
    dynamo("users", home(), stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
           replicas=[aws.dynamodb.TableReplicaArgs(region_name=to)])


def dynamodb_native_global_table(to: str) -> None:
    aws_native.dynamodb.GlobalTable(
        "users", opts=native_in(HOME), billing_mode="PAY_PER_REQUEST",
        attribute_definitions=[aws_native.dynamodb.GlobalTableAttributeDefinitionArgs(
            attribute_name="id", attribute_type="S")],
        key_schema=[aws_native.dynamodb.GlobalTableKeySchemaArgs(attribute_name="id",
                                                                key_type="HASH")],
        stream_specification=aws_native.dynamodb.GlobalTableStreamSpecificationArgs(
            stream_view_type="NEW_AND_OLD_IMAGES"),
        replicas=[aws_native.dynamodb.GlobalTableReplicaSpecificationArgs(region=r)
                  for r in (HOME, to)])


def dynamodb_legacy_global_table(to: str) -> None:
    aws.dynamodb.GlobalTable("users", name="users", opts=home(), replicas=[
        aws.dynamodb.GlobalTableReplicaArgs(region_name=r) for r in (HOME, to)])


def dynamodb_table_export(to: str) -> None:
    table = dynamo("users", home(), point_in_time_recovery=aws.dynamodb.
                   TablePointInTimeRecoveryArgs(enabled=True))
    dump = bucket("users-export", away(to), "public-content")
    aws.dynamodb.TableExport("users-export", table_arn=table.arn, s3_bucket=dump.bucket,
                             opts=home())


def dynamodb_table_replica(to: str) -> None:
    table = dynamo("users", home(), stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES")
    aws.dynamodb.TableReplica("users-replica", global_table_arn=table.arn, opts=away(to))


def rds_global_cluster_member(to: str) -> None:
    group = aws.rds.GlobalCluster("global", global_cluster_identifier="users-global",
                                  engine="aurora-postgresql", opts=home())
    rds_cluster("primary", home(), global_cluster_identifier=group.id)
    rds_cluster("secondary", away(to), global_cluster_identifier=group.id)


def rds_cross_region_replica(to: str) -> None:
    primary = rds_cluster("primary", home())
    rds_cluster("replica", away(to), replication_source_identifier=primary.arn)


def rds_read_replica(to: str) -> None:
    primary = rds_instance("primary", home(), username="app", manage_master_user_password=True)
    rds_instance("replica", away(to), replicate_source_db=primary.arn)


def elasticache_global_datastore_member(to: str) -> None:
    primary = redis("primary", home())
    aws.elasticache.GlobalReplicationGroup(
        "global", global_replication_group_id_suffix="sessions",
        primary_replication_group_id=primary.id, opts=home())
    # AWS prefixes the suffix; the id is typed in, as a secondary in another stack would.
    redis("secondary", away(to), global_replication_group_id="ldgnf-sessions")


def ecr_replication(to: str) -> None:
    ecr = aws.ecr
    destination = ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArgs(
        region=to, registry_id=ACCOUNT)
    ecr.ReplicationConfiguration(
        "replication", opts=home(),
        replication_configuration=ecr.ReplicationConfigurationReplicationConfigurationArgs(
            rules=[ecr.ReplicationConfigurationReplicationConfigurationRuleArgs(
                destinations=[destination])]))


def efs_replication(to: str) -> None:
    shared = aws.efs.FileSystem("shared", encrypted=True, tags=PII, opts=home())
    aws.efs.ReplicationConfiguration(
        "shared-replication", source_file_system_id=shared.id, opts=home(),
        destination=aws.efs.ReplicationConfigurationDestinationArgs(region=to))


def rds_snapshot_copy(to: str) -> None:
    aws.rds.SnapshotCopy("copy", source_db_snapshot_identifier=arn("rds", HOME, "snapshot:s1"),
                         target_db_snapshot_identifier="s1-copy", destination_region=to,
                         opts=home())


def rds_backup_replication(to: str) -> None:
    primary = rds_instance("primary", home(), username="app", manage_master_user_password=True)
    aws.rds.InstanceAutomatedBackupsReplication("backups", source_db_instance_arn=primary.arn,
                                                opts=away(to))


def redshift_snapshot_copy(to: str) -> None:
    warehouse = aws.redshift.Cluster("warehouse", cluster_identifier="warehouse",
                                     node_type="ra3.xlplus", master_username="admin",
                                     manage_master_password=True, encrypted=True, tags=PII,
                                     opts=home())
    aws.redshift.SnapshotCopy("warehouse-copy", cluster_identifier=warehouse.id,
                              destination_region=to, opts=home())


def backup_copy_action(to: str) -> None:
    vault = aws.backup.Vault("dr", opts=away(to))
    aws.backup.Plan("plan", opts=home(), rules=[aws.backup.PlanRuleArgs(
        rule_name="daily", target_vault_name="main", schedule="cron(0 5 * * ? *)",
        copy_actions=[aws.backup.PlanRuleCopyActionArgs(destination_vault_arn=vault.arn)])])


def msk_replicator(to: str) -> None:
    clusters = [arn("kafka", HOME, "cluster/source/1"), arn("kafka", to, "cluster/target/2")]
    aws.msk.Replicator(
        "replicator", replicator_name="events", service_execution_role_arn=ROLE, opts=home(),
        kafka_clusters=[aws.msk.ReplicatorKafkaClusterArgs(
            amazon_msk_cluster=aws.msk.ReplicatorKafkaClusterAmazonMskClusterArgs(
                msk_cluster_arn=c),
            vpc_config=aws.msk.ReplicatorKafkaClusterVpcConfigArgs(subnet_ids=["subnet-a"]))
            for c in clusters],
        replication_info_list=aws.msk.ReplicatorReplicationInfoListArgs(
            source_kafka_cluster_arn=clusters[0], target_kafka_cluster_arn=clusters[1],
            target_compression_type="NONE",
            topic_replications=[aws.msk.ReplicatorReplicationInfoListTopicReplicationArgs(
                topics_to_replicates=[".*"])],
            consumer_group_replications=[
                aws.msk.ReplicatorReplicationInfoListConsumerGroupReplicationArgs(
                    consumer_groups_to_replicates=[".*"])]))


def cloudformation_stackset_instance(to: str) -> None:
    aws.cloudformation.StackSetInstance("baseline", stack_set_name="baseline",
                                        stack_set_instance_region=to, opts=home())


def cloudformation_native_stackset(to: str) -> None:
    aws_native.cloudformation.StackSet(
        "baseline", permission_model="SELF_MANAGED", stack_set_name="baseline",
        template_body="{}", opts=native_in(HOME), stack_instances_group=[
            aws_native.cloudformation.StackSetStackInstancesArgs(
                deployment_targets=aws_native.cloudformation.StackSetDeploymentTargetsArgs(
                    accounts=[ACCOUNT]), regions=[HOME, to])])


def firehose_delivery(to: str) -> None:
    lake = bucket("lake", away(to), "public-content")
    aws.kinesis.FirehoseDeliveryStream(
        "events", destination="extended_s3", tags=PII, opts=home(),
        extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
            role_arn=ROLE, bucket_arn=lake.arn))


def firehose_native_delivery(to: str) -> None:
    lake = bucket("lake", away(to), "public-content")
    aws_native.kinesisfirehose.DeliveryStream(
        "events", opts=native_in(HOME),
        extended_s3_destination_configuration=aws_native.kinesisfirehose.
        DeliveryStreamExtendedS3DestinationConfigurationArgs(role_arn=ROLE, bucket_arn=lake.arn))


def sns_subscription(to: str) -> None:
    topic = aws.sns.Topic("events", tags=PII, opts=home())
    queue = aws.sqs.Queue("copies", tags={"data-class": "public-content"}, opts=away(to))
    aws.sns.TopicSubscription("events-to-copies", topic=topic.arn, protocol="sqs",
                              endpoint=queue.arn, opts=home())


def sns_native_subscription(to: str) -> None:
    topic = aws.sns.Topic("events", tags=PII, opts=home())
    aws_native.sns.Subscription("events-to-copies", topic_arn=topic.arn, protocol="sqs",
                                endpoint=arn("sqs", to, "copies"), opts=native_in(HOME))


def sns_native_topic_subscription(to: str) -> None:
    aws_native.sns.Topic("events", opts=native_in(HOME), subscription=[
        aws_native.sns.TopicSubscriptionArgs(endpoint=arn("sqs", to, "copies"), protocol="sqs")])


PATTERN = json.dumps({"source": ["app.orders"]})


def eventbridge_target(to: str) -> None:
    rule = aws.cloudwatch.EventRule("orders", event_pattern=PATTERN, opts=home())
    aws.cloudwatch.EventTarget("orders-target", rule=rule.name, opts=home(),
                               arn=arn("events", to, "event-bus/default"), role_arn=ROLE)


def eventbridge_native_rule_target(to: str) -> None:
    aws_native.events.Rule("orders", event_pattern=json.loads(PATTERN), opts=native_in(HOME),
                           targets=[aws_native.events.RuleTargetArgs(
                               id="bus", arn=arn("events", to, "event-bus/default"),
                               role_arn=ROLE)])


def eventbridge_api_destination(to: str) -> None:
    aws.cloudwatch.EventApiDestination(
        "crm", http_method="POST", connection_arn=arn("events", HOME, "connection/crm/1"),
        invocation_endpoint=f"https://abc123.execute-api.{to}.amazonaws.com/prod/events",
        opts=home())


def eventbridge_global_endpoint(to: str) -> None:
    aws.cloudwatch.EventEndpoint(
        "orders", role_arn=ROLE, opts=home(),
        event_buses=[aws.cloudwatch.EventEndpointEventBusArgs(
            event_bus_arn=arn("events", r, "event-bus/orders")) for r in (HOME, to)],
        routing_config=aws.cloudwatch.EventEndpointRoutingConfigArgs(
            failover_config=aws.cloudwatch.EventEndpointRoutingConfigFailoverConfigArgs(
                primary=aws.cloudwatch.EventEndpointRoutingConfigFailoverConfigPrimaryArgs(
                    health_check="arn:aws:route53:::healthcheck/1"),
                secondary=aws.cloudwatch.EventEndpointRoutingConfigFailoverConfigSecondaryArgs(
                    route=to))))


def eventbridge_pipe(to: str) -> None:
    queue = aws.sqs.Queue("orders", tags=PII, opts=home())
    aws.pipes.Pipe("orders-pipe", role_arn=ROLE, source=queue.arn,
                   target=arn("sqs", to, "orders-copy"), opts=home())


def scheduler_target(to: str) -> None:
    aws.scheduler.Schedule(
        "nightly", schedule_expression="rate(1 day)", opts=home(),
        flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
        target=aws.scheduler.ScheduleTargetArgs(arn=arn("sqs", to, "jobs"), role_arn=ROLE))


def logs_subscription_filter(to: str) -> None:
    group = log_group("app", home())
    aws.cloudwatch.LogSubscriptionFilter("app-filter", log_group=group.name, filter_pattern="",
                                         destination_arn=arn("kinesis", to, "stream/logs"),
                                         role_arn=ROLE, opts=home())


def logs_native_subscription_filter(to: str) -> None:
    group = log_group("app", home())
    aws_native.logs.SubscriptionFilter(
        "app-filter", log_group_name=group.name, filter_pattern="", role_arn=ROLE,
        destination_arn=arn("firehose", to, "deliverystream/logs"), opts=native_in(HOME))


def logs_destination(to: str) -> None:
    aws.cloudwatch.LogDestination("central", name="central", role_arn=ROLE,
                                  target_arn=arn("kinesis", to, "stream/logs"), opts=home())


def logs_delivery_destination(to: str) -> None:
    aws.cloudwatch.LogDeliveryDestination(
        "vended", name="vended", opts=home(),
        delivery_destination_configuration=aws.cloudwatch.
        LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
            destination_resource_arn=arn("logs", to, "log-group:vended")))


def cloudfront_standard_logging(to: str) -> None:
    logs = bucket("cdn-logs", away(to))
    distribution("cdn", home(), logging_config=aws.cloudfront.DistributionLoggingConfigArgs(
        bucket=logs.bucket_domain_name, prefix="cdn/"))


def cloudfront_native_logging(to: str) -> None:
    logs = bucket("cdn-logs", away(to))
    native = aws_native.cloudfront
    native.Distribution("cdn", opts=native_in(HOME), distribution_config=native.
                        DistributionConfigArgs(
                            enabled=True,
                            default_cache_behavior=native.DistributionDefaultCacheBehaviorArgs(
                                target_origin_id="origin",
                                viewer_protocol_policy="redirect-to-https"),
                            origins=[native.DistributionOriginArgs(
                                domain_name="origin.example.com", id="origin")],
                            logging=native.DistributionLoggingArgs(
                                bucket=logs.bucket_domain_name)))


def cloudfront_realtime_logs(to: str) -> None:
    stream = aws.kinesis.Stream("viewer-logs", shard_count=1, opts=away(to),
                                tags={"data-class": "public-content"})
    aws.cloudfront.RealtimeLogConfig(
        "realtime", name="realtime", sampling_rate=100, fields=["timestamp", "c-ip"],
        opts=home(), endpoint=aws.cloudfront.RealtimeLogConfigEndpointArgs(
            stream_type="Kinesis",
            kinesis_stream_config=aws.cloudfront.RealtimeLogConfigEndpointKinesisStreamConfigArgs(
                role_arn=ROLE, stream_arn=stream.arn)))


def cloudtrail_delivery(to: str) -> None:
    trail_bucket = bucket("trail", away(to))
    aws.cloudtrail.Trail("audit", s3_bucket_name=trail_bucket.id, opts=home())


def vpc_flow_logs(to: str) -> None:
    flows = bucket("flows", away(to))
    aws.ec2.FlowLog("vpc-flows", vpc_id="vpc-1", traffic_type="ALL", log_destination_type="s3",
                    log_destination=flows.arn, opts=home())


def waf_logging(to: str) -> None:
    group = log_group("aws-waf-logs-web", away(to))
    aws.wafv2.WebAclLoggingConfiguration(
        "web-logging", resource_arn=arn("wafv2", HOME, "regional/webacl/web/1"),
        log_destination_configs=[group.arn], opts=home())


def config_delivery(to: str) -> None:
    config_bucket = bucket("config", away(to))
    aws.cfg.DeliveryChannel("config", s3_bucket_name=config_bucket.bucket, opts=home())


def resolver_query_logging(to: str) -> None:
    queries = bucket("queries", away(to))
    aws.route53.ResolverQueryLogConfig("queries", destination_arn=queries.arn, opts=home())


def route53_query_logging(to: str) -> None:
    group = log_group("zone-queries", away(to))
    aws.route53.QueryLog("zone-queries", zone_id="Z123", cloudwatch_log_group_arn=group.arn,
                         opts=home())


def dms_replication(to: str) -> None:
    source = aws.dms.Endpoint("source", endpoint_id="source", endpoint_type="source",
                              engine_name="postgres", tags=PII, opts=home())
    aws.dms.ReplicationTask(
        "migrate", migration_type="full-load", replication_task_id="migrate",
        replication_instance_arn=arn("dms", HOME, "rep:R"), table_mappings="{}",
        source_endpoint_arn=source.endpoint_arn,
        target_endpoint_arn=arn("dms", to, "endpoint:TARGET"), opts=home())


def dms_target_endpoint(to: str) -> None:
    aws.dms.Endpoint("target", endpoint_id="target", endpoint_type="target",
                     engine_name="postgres", port=5432, database_name="app",
                     server_name=f"db.abc123.{to}.rds.amazonaws.com", opts=home())


def dms_s3_target_endpoint(to: str) -> None:
    dump = bucket("dump", away(to))
    aws.dms.S3Endpoint("target", endpoint_id="target", endpoint_type="target",
                       bucket_name=dump.bucket, service_access_role_arn=ROLE, opts=home())


def datasync_task(to: str) -> None:
    aws.datasync.Task("sync", source_location_arn=arn("datasync", HOME, "location/loc-1"),
                      destination_location_arn=arn("datasync", to, "location/loc-2"),
                      opts=home())


def lambda_async_destination(to: str) -> None:
    aws.lambda_.FunctionEventInvokeConfig(
        "worker-destinations", function_name="worker", opts=home(),
        destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
            on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                destination=arn("sqs", to, "failures"))))


def ses_event_destination(to: str) -> None:
    sesv2 = aws.sesv2
    sesv2.ConfigurationSetEventDestination(
        "mail-events", configuration_set_name="mail", event_destination_name="events",
        opts=home(), event_destination=sesv2.ConfigurationSetEventDestinationEventDestinationArgs(
            matching_event_types=["SEND"],
            sns_destination=sesv2.ConfigurationSetEventDestinationEventDestinationSnsDestinationArgs(
                topic_arn=arn("sns", to, "mail-events"))))


def kms_replica_key(to: str) -> None:
    primary = aws.kms.Key("data", multi_region=True, enable_key_rotation=True, opts=home())
    aws.kms.ReplicaKey("data-replica", primary_key_arn=primary.arn, opts=away(to))


def kms_replica_primary(to: str) -> None:
    primary = aws.kms.Key("data", multi_region=True, enable_key_rotation=True, opts=away(to))
    aws.kms.ReplicaKey("data-replica", primary_key_arn=primary.arn, opts=home())


def kms_multi_region_primary(to: str) -> None:
    aws.kms.Key("data", multi_region=True, enable_key_rotation=True, opts=away(to))


def memorydb_multi_region_member(to: str) -> None:
    aws.memorydb.MultiRegionCluster("sessions", multi_region_cluster_name_suffix="sessions",
                                    node_type="db.r7g.xlarge", opts=home())
    aws.memorydb.Cluster("sessions-far", node_type="db.r7g.xlarge", acl_name="open-access",
                         multi_region_cluster_name="virxk-sessions", tags=PII, opts=away(to))


def dsql_multi_region(to: str) -> None:
    aws.dsql.Cluster("ledger", tags=PII, opts=home(),
                     multi_region_properties=aws.dsql.ClusterMultiRegionPropertiesArgs(
                         witness_region=to, clusters=[arn("dsql", "us-west-2", "cluster/peer")]))


def opensearch_cross_cluster(to: str) -> None:
    domain = aws.opensearch.Domain("search", domain_name="search", tags=PII, opts=home())
    opensearch = aws.opensearch
    opensearch.OutboundConnection(
        "search-far", connection_alias="far", opts=home(),
        local_domain_info=opensearch.OutboundConnectionLocalDomainInfoArgs(
            domain_name=domain.domain_name, owner_id=ACCOUNT, region=HOME),
        remote_domain_info=opensearch.OutboundConnectionRemoteDomainInfoArgs(
            domain_name="search-far", owner_id=ACCOUNT, region=to))


def redshift_datashare_consumer(to: str) -> None:
    aws.redshift.DataShareConsumerAssociation(
        "share", consumer_region=to, opts=home(),
        data_share_arn=arn("redshift", HOME, "datashare:ns/share"))


def secrets_manager_replica(to: str) -> None:
    aws.secretsmanager.Secret("db", opts=home(),
                              replicas=[aws.secretsmanager.SecretReplicaArgs(region=to)])


def snapshot_or_image_copy(to: str) -> None:
    aws.ebs.SnapshotCopy("volume-copy", source_snapshot_id="snap-1", source_region=HOME,
                         opts=away(to))


def cloudwatch_metric_stream(to: str) -> None:
    aws.cloudwatch.MetricStream("metrics", output_format="json", role_arn=ROLE, opts=home(),
                                firehose_arn=arn("firehose", to, "deliverystream/metrics"))


def athena_query_results(to: str) -> None:
    results = bucket("query-results", away(to))
    athena = aws.athena
    results_location = results.bucket.apply(lambda name: f"s3://{name}/athena/")
    athena.Workgroup("analysts", opts=home(), configuration=athena.WorkgroupConfigurationArgs(
        result_configuration=athena.WorkgroupConfigurationResultConfigurationArgs(
            output_location=results_location)))


def cognito_messaging(to: str) -> None:
    aws.cognito.UserPool("learners", opts=home(),
                         sms_configuration=aws.cognito.UserPoolSmsConfigurationArgs(
                             external_id="learners", sns_caller_arn=ROLE, sns_region=to))


@dataclass(frozen=True)
class PathCase:
    path: str  # the copy path id
    build: Callable[[str], None]
    subject: str  # the logical name of the resource the finding is on


PATH_CASES = [
    PathCase("s3-replication", s3_replication, "source-replication"),
    PathCase("s3-inline-replication", s3_inline_replication, "source"),
    PathCase("s3-bucketv2-replication", s3_bucketv2_replication, "source"),
    PathCase("s3-multi-region-access-point", s3_multi_region_access_point, "mrap"),
    PathCase("s3-native-multi-region-access-point", s3_native_multi_region_access_point,
             "mrap"),
    PathCase("dynamodb-replica", dynamodb_replica, "users"),
    PathCase("dynamodb-native-global-table", dynamodb_native_global_table, "users"),
    PathCase("dynamodb-legacy-global-table", dynamodb_legacy_global_table, "users"),
    PathCase("dynamodb-table-export", dynamodb_table_export, "users-export"),
    PathCase("dynamodb-table-replica", dynamodb_table_replica, "users-replica"),
    PathCase("rds-global-cluster-member", rds_global_cluster_member, "secondary"),
    PathCase("rds-cross-region-replica", rds_cross_region_replica, "replica"),
    PathCase("rds-read-replica", rds_read_replica, "replica"),
    PathCase("elasticache-global-datastore-member", elasticache_global_datastore_member,
             "secondary"),
    PathCase("ecr-replication", ecr_replication, "replication"),
    PathCase("efs-replication", efs_replication, "shared-replication"),
    PathCase("rds-snapshot-copy", rds_snapshot_copy, "copy"),
    PathCase("rds-backup-replication", rds_backup_replication, "backups"),
    PathCase("redshift-snapshot-copy", redshift_snapshot_copy, "warehouse-copy"),
    PathCase("backup-copy-action", backup_copy_action, "plan"),
    PathCase("msk-replicator", msk_replicator, "replicator"),
    PathCase("cloudformation-stackset-instance", cloudformation_stackset_instance, "baseline"),
    PathCase("cloudformation-native-stackset", cloudformation_native_stackset, "baseline"),
    PathCase("firehose-delivery", firehose_delivery, "events"),
    PathCase("firehose-native-delivery", firehose_native_delivery, "events"),
    PathCase("sns-subscription", sns_subscription, "events-to-copies"),
    PathCase("sns-native-subscription", sns_native_subscription, "events-to-copies"),
    PathCase("sns-native-topic-subscription", sns_native_topic_subscription, "events"),
    PathCase("eventbridge-target", eventbridge_target, "orders-target"),
    PathCase("eventbridge-native-rule-target", eventbridge_native_rule_target, "orders"),
    PathCase("eventbridge-api-destination", eventbridge_api_destination, "crm"),
    PathCase("eventbridge-global-endpoint", eventbridge_global_endpoint, "orders"),
    PathCase("eventbridge-pipe", eventbridge_pipe, "orders-pipe"),
    PathCase("scheduler-target", scheduler_target, "nightly"),
    PathCase("logs-subscription-filter", logs_subscription_filter, "app-filter"),
    PathCase("logs-native-subscription-filter", logs_native_subscription_filter, "app-filter"),
    PathCase("logs-destination", logs_destination, "central"),
    PathCase("logs-delivery-destination", logs_delivery_destination, "vended"),
    PathCase("cloudfront-standard-logging", cloudfront_standard_logging, "cdn"),
    PathCase("cloudfront-native-logging", cloudfront_native_logging, "cdn"),
    PathCase("cloudfront-realtime-logs", cloudfront_realtime_logs, "realtime"),
    PathCase("cloudtrail-delivery", cloudtrail_delivery, "audit"),
    PathCase("vpc-flow-logs", vpc_flow_logs, "vpc-flows"),
    PathCase("waf-logging", waf_logging, "web-logging"),
    PathCase("config-delivery", config_delivery, "config"),
    PathCase("resolver-query-logging", resolver_query_logging, "queries"),
    PathCase("route53-query-logging", route53_query_logging, "zone-queries"),
    PathCase("dms-replication", dms_replication, "migrate"),
    PathCase("dms-target-endpoint", dms_target_endpoint, "target"),
    PathCase("dms-s3-target-endpoint", dms_s3_target_endpoint, "target"),
    PathCase("datasync-task", datasync_task, "sync"),
    PathCase("lambda-async-destination", lambda_async_destination, "worker-destinations"),
    PathCase("ses-event-destination", ses_event_destination, "mail-events"),
    PathCase("memorydb-multi-region-member", memorydb_multi_region_member, "sessions-far"),
    PathCase("dsql-multi-region", dsql_multi_region, "ledger"),
    PathCase("opensearch-cross-cluster", opensearch_cross_cluster, "search-far"),
    PathCase("redshift-datashare-consumer", redshift_datashare_consumer, "share"),
    PathCase("secrets-manager-replica", secrets_manager_replica, "db"),
    PathCase("snapshot-or-image-copy", snapshot_or_image_copy, "volume-copy"),
    PathCase("cloudwatch-metric-stream", cloudwatch_metric_stream, "metrics"),
    PathCase("athena-query-results", athena_query_results, "analysts"),
    PathCase("cognito-messaging", cognito_messaging, "learners"),
    PathCase("kms-replica-key", kms_replica_key, "data-replica"),
    PathCase("kms-replica-primary", kms_replica_primary, "data-replica"),
    PathCase("kms-multi-region-primary", kms_multi_region_primary, "data"),
]
