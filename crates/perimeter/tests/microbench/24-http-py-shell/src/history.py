import subprocess


def handler(event, context):
    author = event["queryStringParameters"]["author"]
    log = subprocess.check_output("git -C /opt/repo log --oneline --author=" + author, shell=True)
    return {"statusCode": 200, "body": log.decode()}
