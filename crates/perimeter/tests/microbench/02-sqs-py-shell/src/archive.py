import json
import subprocess


def handler(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        subprocess.run(["tar", "czf", "/tmp/archive.tgz", job["name"]], check=True)
