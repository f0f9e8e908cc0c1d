import json
import os

import pymongo

db = pymongo.MongoClient(os.environ["MONGO_URL"])["catalog"]


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    where = json.loads(params["where"])
    docs = list(db.products.find(where).limit(20))
    return {"statusCode": 200, "body": json.dumps([d["name"] for d in docs])}
