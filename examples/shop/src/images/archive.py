import json
import os
import shlex
import subprocess

import boto3

s3 = boto3.client("s3")
UPLOADS = os.environ["UPLOAD_BUCKET"]
ARCHIVE = os.environ["ARCHIVE_BUCKET"]


def handler(event, context):
    for record in event["Records"]:
        key = json.loads(record["body"])["key"]
        name = "/tmp/" + os.path.basename(key)
        s3.download_file(UPLOADS, key, name)
        subprocess.run("gzip " + shlex.quote(name), shell=True, check=True)
        s3.upload_file(name + ".gz", ARCHIVE, key + ".gz")
