import json

from common.shell import run_args


def handler(event, context):
    request = json.loads(event["body"])
    out = run_args("pg_restore", "--table", request["table"], "/tmp/dump.sql")
    return {"statusCode": 200, "body": out}
