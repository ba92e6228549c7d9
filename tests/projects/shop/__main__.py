"""A small shop: an explicit provider, the default provider, one cross-region resource,
a secret config value and a generated password."""

import pulumi
import pulumi_aws as aws
import pulumi_random as random

config = pulumi.Config()
eu = aws.Provider("eu", region="eu-west-1")

orders = aws.s3.Bucket("orders", opts=pulumi.ResourceOptions(provider=eu, protect=True))
aws.s3.BucketVersioning(
    "orders-versioning",
    bucket=orders.id,
    versioning_configuration={"status": "Enabled"},
    opts=pulumi.ResourceOptions(provider=eu, parent=orders, ignore_changes=["tags"]),
)
# No provider: the default provider, so the stack's aws:region (us-west-2).
logs = aws.cloudwatch.LogGroup("logs", retention_in_days=config.get_int("retentionDays"),
                               tags={"owner": config.require("owner")})
# pulumi-aws 7: the resource's own region wins over its provider's.
replica = aws.s3.Bucket("replica", region="eu-central-1",
                        opts=pulumi.ResourceOptions(provider=eu, retain_on_delete=True,
                                                    delete_before_replace=True))
password = random.RandomPassword("db-password", length=24, special=False)
aws.ssm.Parameter("db-password", type="SecureString", value=password.result,
                  opts=pulumi.ResourceOptions(provider=eu))
aws.ssm.Parameter("api-key", type="SecureString", value=config.require_secret("dbPassword"),
                  opts=pulumi.ResourceOptions(provider=eu, depends_on=[logs]))

pulumi.export("ordersBucket", orders.bucket)
pulumi.export("password", password.result)
