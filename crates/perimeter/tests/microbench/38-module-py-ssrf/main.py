import json

from services import webhooks


def test_hook(event, context):
    hook = json.loads(event["body"])
    status = webhooks.deliver(hook["url"], {"test": True})
    return {"statusCode": 200, "body": str(status)}


def partner_hook(event, context):
    hook = json.loads(event["body"])
    status = webhooks.deliver_to_partner(hook["partner"], {"test": True})
    return {"statusCode": 200, "body": str(status)}
