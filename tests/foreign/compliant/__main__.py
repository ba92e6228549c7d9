"""The same kind of program done right: private, KMS-encrypted, in region, protected."""
import json

import pulumi
import pulumi_aws as aws

eu = aws.Provider("eu", region="eu-central-1",
                  default_tags=aws.ProviderDefaultTagsArgs(tags={"environment": "prod",
                                                                 "owner": "learning"}))
opts = pulumi.ResourceOptions(provider=eu)
key = aws.kms.Key("data", enable_key_rotation=True, opts=opts)
uploads = aws.s3.Bucket("uploads", tags={"data-class": "user-content"}, opts=opts)
aws.s3.BucketPublicAccessBlock("uploads-pab", bucket=uploads.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True, opts=opts)
aws.s3.BucketServerSideEncryptionConfiguration(
    "uploads-sse", bucket=uploads.id, opts=opts,
    rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.
        BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=key.arn),
        bucket_key_enabled=True)])
aws.dynamodb.Table("profiles", billing_mode="PAY_PER_REQUEST", hash_key="id",
                   attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
                   deletion_protection_enabled=True,
                   point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
                   replicas=[aws.dynamodb.TableReplicaArgs(region_name="eu-west-1")],
                   stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
                   tags={"data-class": "user-pii"}, opts=opts)
aws.iam.Policy("reader", opts=opts, policy=uploads.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn}/*"}]})))
