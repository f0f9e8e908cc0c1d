import base64
import json
import os

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    upload = json.loads(event["body"])
    s3.put_object(Bucket=os.environ["BUCKET"], Key=upload["path"], Body=base64.b64decode(upload["data"]))
    return {"statusCode": 201}
