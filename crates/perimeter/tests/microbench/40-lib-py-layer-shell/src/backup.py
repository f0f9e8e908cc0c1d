import json

from common.shell import run


def handler(event, context):
    request = json.loads(event["body"])
    out = run("pg_dump --table=" + request["table"] + " appdb > /tmp/dump.sql")
    return {"statusCode": 200, "body": out}
