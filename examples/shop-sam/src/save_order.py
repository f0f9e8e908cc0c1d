import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        table.put_item(
            Item={
                "id": str(uuid.uuid4()),
                "name": order["name"],
                "quantity": int(order.get("quantity", 1)),
            }
        )
