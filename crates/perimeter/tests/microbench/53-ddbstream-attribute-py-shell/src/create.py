import json
import os
import uuid

import boto3

ddb = boto3.client("dynamodb")


def handler(event, context):
    site = json.loads(event["body"])
    ddb.put_item(
        TableName=os.environ["SITES"],
        Item={"id": {"S": str(uuid.uuid4())}, "domain": {"S": site["domain"]}, "tier": {"S": "basic"}},
    )
    return {"statusCode": 201}
