from lib.http import fetch_json


def handler(event, context):
    return fetch_json(event["detail"]["notify"])
