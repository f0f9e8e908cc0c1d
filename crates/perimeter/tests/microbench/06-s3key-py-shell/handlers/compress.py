import os
from urllib.parse import unquote_plus


def main(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        os.system(f"aws s3 cp s3://{bucket}/{key} /tmp/in && gzip -9 /tmp/in")
