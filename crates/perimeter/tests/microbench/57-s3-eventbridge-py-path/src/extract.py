import os


def handler(event, context):
    key = event["detail"]["object"]["key"]
    os.makedirs(os.path.join("/tmp/extract", key), exist_ok=True)
    return {"key": key}
