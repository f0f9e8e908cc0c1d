import json
import os

import boto3

lam = boto3.client("lambda")


def handler(event, context):
    req = json.loads(event["body"])
    lam.invoke(FunctionName=os.environ["PROBE_FN"], Payload=json.dumps({"url": req["url"]}))
    lam.invoke(
        FunctionName=os.environ["STATUS_FN"],
        Payload=json.dumps({"host": "status.example.com", "note": req["note"]}),
    )
    return {"statusCode": 200}
