import json
import os

import boto3

s3 = boto3.client("s3")


def main(event, context):
    body = json.loads(event["body"])
    key = "raw/" + body["filename"]
    s3.put_object(Bucket=os.environ["BUCKET"], Key=key, Body=body["content"].encode())
    return {"statusCode": 201, "body": json.dumps({"key": key})}
