import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    vote = json.loads(event["body"])
    sqs.send_message(QueueUrl=os.environ["COMMENTS_URL"], MessageBody=vote["comment"])
    sqs.send_message(QueueUrl=os.environ["SCORES_URL"], MessageBody=str(int(vote["score"])))
    return {"statusCode": 202}
