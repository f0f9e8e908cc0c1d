import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    request = json.loads(event["body"])
    table.put_item(Item={"id": str(uuid.uuid4()), "webhook": request["webhook"]})
    return {"statusCode": 201}
