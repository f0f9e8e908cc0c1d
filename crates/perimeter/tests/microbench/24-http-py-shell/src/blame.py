import subprocess


def handler(event, context):
    path = event["queryStringParameters"]["path"]
    out = subprocess.check_output(["git", "-C", "/opt/repo", "blame", "--", path])
    return {"statusCode": 200, "body": out.decode()}
