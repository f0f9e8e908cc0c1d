import json
from urllib.request import urlopen


def handler(event, context):
    feed_url = json.loads(event["body"])["feed"]
    with urlopen(feed_url, timeout=10) as res:
        return {"statusCode": 200, "body": str(len(res.read()))}
