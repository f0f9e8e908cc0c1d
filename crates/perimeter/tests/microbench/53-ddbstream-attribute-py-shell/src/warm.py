import os


def handler(event, context):
    for record in event["Records"]:
        image = record["dynamodb"]["NewImage"]
        os.system("/opt/bin/warm-cache --tier " + image["tier"]["S"])
