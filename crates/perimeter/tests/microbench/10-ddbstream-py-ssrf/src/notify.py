import requests


def handler(event, context):
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        url = record["dynamodb"]["NewImage"]["webhook"]["S"]
        requests.post(url, json={"subscribed": True}, timeout=5)
