import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    payload = json.loads(event["body"])
    job = json.dumps({"name": payload["name"], "size": 64})
    sqs.send_message(QueueUrl=os.environ["THUMB_QUEUE"], MessageBody=job)
    sqs.send_message(QueueUrl=os.environ["ARCHIVE_QUEUE"], MessageBody=job)
    return {"statusCode": 202}
