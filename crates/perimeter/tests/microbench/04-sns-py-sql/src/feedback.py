import json
import os

import boto3

topic = boto3.resource("sns").Topic(os.environ["TOPIC_ARN"])


def handler(event, context):
    form = json.loads(event["body"])
    topic.publish(Message=json.dumps({"author": form["author"], "text": form["text"]}))
    return {"statusCode": 200}
