import base64
import json


def handler(event, context):
    results = []
    for record in event["Records"]:
        metric = json.loads(base64.b64decode(record["kinesis"]["data"]))
        results.append(eval(metric["formula"], {"__builtins__": {}}, {}))
    return results
