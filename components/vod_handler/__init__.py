"""Lambda code of the VOD pipeline: SQS batch of S3 "Object Created" events -> MediaConvert jobs.

Packaged as the Lambda's code by components/vod_pipeline.py (this directory is the archive);
`handler.handler` is the entry point. Only the standard library and boto3 (in the Lambda
runtime) are used.
"""
