import requests


def handler(event, context):
    return requests.head(event["url"], timeout=3).status_code
