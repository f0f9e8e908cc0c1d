import json
import os

import boto3

events = boto3.client("events")


def handler(event, context):
    wanted = json.loads(event["body"])
    events.put_events(
        Entries=[
            {
                "EventBusName": os.environ["BUS"],
                "Source": "reports.api",
                "DetailType": "ReportRequested",
                "Detail": json.dumps({"template": wanted["template"]}),
            }
        ]
    )
    return {"statusCode": 202}
