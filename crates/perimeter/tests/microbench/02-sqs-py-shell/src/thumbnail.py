import json
import subprocess


def handler(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        name = job["name"]
        subprocess.run(f"convert /tmp/{name} -resize 64x64 /tmp/thumb.png", shell=True, check=True)
