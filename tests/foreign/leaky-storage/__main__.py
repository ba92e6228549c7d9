"""User uploads for a Saudi tenant, created in Frankfurt, public and SSE-S3 only."""
import pulumi
import pulumi_aws as aws

frankfurt = aws.Provider("frankfurt", region="eu-central-1",
                         default_tags=aws.ProviderDefaultTagsArgs(tags={"environment": "prod"}))
opts = pulumi.ResourceOptions(provider=frankfurt)
uploads = aws.s3.Bucket("uploads", tags={"data-class": "user-content"}, opts=opts)
aws.s3.BucketServerSideEncryptionConfiguration(
    "uploads-sse", bucket=uploads.id, opts=opts,
    rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.
        BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="AES256"))])
pulumi.export("bucket", uploads.id)
