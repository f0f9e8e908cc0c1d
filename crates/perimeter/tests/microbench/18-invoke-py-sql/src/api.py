import json
import os

import boto3

lam = boto3.client("lambda")


def handler(event, context):
    email = event["queryStringParameters"]["email"]
    payload = json.dumps({"email": email})
    found = lam.invoke(FunctionName=os.environ["LOOKUP_FN"], Payload=payload)
    lam.invoke(FunctionName=os.environ["MARK_FN"], InvocationType="Event", Payload=payload)
    return {"statusCode": 200, "body": found["Payload"].read().decode()}
