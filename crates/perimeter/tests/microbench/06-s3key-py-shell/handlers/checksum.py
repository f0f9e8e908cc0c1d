import os
import shlex
from urllib.parse import unquote_plus


def main(event, context):
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        os.system("sha256sum " + shlex.quote("/tmp/" + key))
