import json
import os

from werkzeug.utils import secure_filename

UPLOADS = "/tmp/uploads"


def handler(event, context):
    body = json.loads(event["body"])
    with open(os.path.join(UPLOADS, secure_filename(body["file"])), "w") as f:
        f.write(body["content"])
    return {"statusCode": 201}
