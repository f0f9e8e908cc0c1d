import json

import boto3

events = boto3.client("events")


def handler(event, context):
    order = json.loads(event["body"])
    detail = {"item": order["item"], "notify": order["notify_url"]}
    events.put_events(Entries=[{"Source": "shop.checkout", "DetailType": "Paid", "Detail": json.dumps(detail)}])
    return {"statusCode": 202}
