import json

from .store import account_exists, create_account


def signup(event, context):
    form = json.loads(event["body"])
    create_account(form["username"], form["email"])
    return {"statusCode": 201}


def exists(event, context):
    name = event["queryStringParameters"]["username"]
    return {"statusCode": 200, "body": json.dumps(account_exists(name))}
