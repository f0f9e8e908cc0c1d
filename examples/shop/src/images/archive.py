import json
import shlex
import subprocess


def handler(event, context):
    for record in event["Records"]:
        name = json.loads(record["body"])["file"]
        subprocess.run("gzip -k /tmp/" + shlex.quote(name), shell=True, check=True)
