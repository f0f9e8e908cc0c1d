import json
import os

import boto3

sns = boto3.client("sns")


def handler(event, context):
    bid = json.loads(event["body"])
    sns.publish(TopicArn=os.environ["BIDS_TOPIC"], Message=json.dumps({"lot": bid["lot"], "bidder": bid["bidder"]}))
    return {"statusCode": 202}
