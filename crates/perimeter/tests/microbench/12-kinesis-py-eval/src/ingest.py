import json
import os

import boto3

kinesis = boto3.client("kinesis")


def handler(event, context):
    metric = json.loads(event["body"])
    kinesis.put_record(
        StreamName=os.environ["STREAM"],
        Data=json.dumps({"name": metric["name"], "formula": metric["formula"]}).encode(),
        PartitionKey=metric["name"],
    )
    return {"statusCode": 202}
