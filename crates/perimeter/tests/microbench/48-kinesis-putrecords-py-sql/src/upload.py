import json
import os

import boto3

kinesis = boto3.client("kinesis")


def handler(event, context):
    readings = json.loads(event["body"])["readings"]
    kinesis.put_records(
        StreamName=os.environ["STREAM"],
        Records=[{"Data": json.dumps(r).encode(), "PartitionKey": "sensor"} for r in readings],
    )
    return {"statusCode": 202}
