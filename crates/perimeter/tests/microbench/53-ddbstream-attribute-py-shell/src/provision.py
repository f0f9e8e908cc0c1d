import os


def handler(event, context):
    for record in event["Records"]:
        image = record["dynamodb"]["NewImage"]
        os.system("certbot certonly --webroot -d " + image["domain"]["S"])
