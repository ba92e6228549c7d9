"""An EU prod table replicated to the US, no deletion protection, and an admin policy."""
import json

import pulumi
import pulumi_aws as aws

eu = aws.Provider("eu", region="eu-central-1",
                  default_tags=aws.ProviderDefaultTagsArgs(tags={"environment": "prod"}))
opts = pulumi.ResourceOptions(provider=eu)
aws.dynamodb.Table("profiles", billing_mode="PAY_PER_REQUEST", hash_key="id",
                   attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
                   stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
                   point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
                   replicas=[aws.dynamodb.TableReplicaArgs(region_name="us-east-1")],
                   tags={"data-class": "user-pii"}, opts=opts)
aws.iam.Policy("ops-admin", opts=opts, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
