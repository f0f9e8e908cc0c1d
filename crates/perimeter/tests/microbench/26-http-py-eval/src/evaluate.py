import json


def handler(event, context):
    body = json.loads(event["body"])
    total = eval(body["expression"])
    return {"statusCode": 200, "body": json.dumps({"total": total})}
