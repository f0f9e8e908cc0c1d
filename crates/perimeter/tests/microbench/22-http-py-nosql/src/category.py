import json
import os

import pymongo

db = pymongo.MongoClient(os.environ["MONGO_URL"])["catalog"]


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    docs = list(db.products.find({"category": str(params["category"])}).limit(20))
    return {"statusCode": 200, "body": json.dumps([d["name"] for d in docs])}
