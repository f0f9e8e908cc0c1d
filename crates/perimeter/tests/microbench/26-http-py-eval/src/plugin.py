import importlib
import json

PLUGINS = {"csv": "plugins.csv_export", "pdf": "plugins.pdf_export"}


def handler(event, context):
    body = json.loads(event["body"])
    module = importlib.import_module(PLUGINS.get(body["format"], "plugins.csv_export"))
    return {"statusCode": 200, "body": module.render(body["rows"])}
