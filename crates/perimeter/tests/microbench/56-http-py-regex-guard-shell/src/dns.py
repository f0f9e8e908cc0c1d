import re
import subprocess

HOST = re.compile(r"[a-z0-9.-]{1,253}")


def lookup(event, context):
    host = event["queryStringParameters"]["host"]
    out = subprocess.getoutput("host " + host)
    return {"statusCode": 200, "body": out}


def checked(event, context):
    host = event["queryStringParameters"]["host"]
    if not HOST.fullmatch(host):
        return {"statusCode": 400}
    out = subprocess.getoutput("host " + host)
    return {"statusCode": 200, "body": out}
