import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    order = json.loads(event["body"])
    table.put_item(Item={"id": order["id"], "name": order["name"]})
    return {"statusCode": 201}
