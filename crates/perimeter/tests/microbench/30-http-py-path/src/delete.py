import json
import os

UPLOADS = "/tmp/uploads/"


def handler(event, context):
    body = json.loads(event["body"])
    os.remove(UPLOADS + body["file"])
    return {"statusCode": 204}
