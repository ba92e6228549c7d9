"""Benchmark program: `buckets:count` private buckets (default 1,000), each with its
split-out public-access block, default encryption and versioning: 4 resources per bucket."""
import pulumi
import pulumi_aws as aws

count = pulumi.Config("buckets").get_int("count") or 1000
for index in range(count):
    name = f"data-{index:04d}"
    bucket = aws.s3.Bucket(name, tags={"data-class": "user-content", "environment": "prod"})
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=bucket.id, block_public_acls=True,
                                   block_public_policy=True, ignore_public_acls=True,
                                   restrict_public_buckets=True)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse", bucket=bucket.id,
        rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.
            BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms"),
            bucket_key_enabled=True)])
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id,
                            versioning_configuration=aws.s3.
                            BucketVersioningVersioningConfigurationArgs(status="Enabled"))
