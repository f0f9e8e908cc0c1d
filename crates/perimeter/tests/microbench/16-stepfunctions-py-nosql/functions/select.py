import os

from pymongo import MongoClient

orders = MongoClient(os.environ["MONGO_URL"]).shop.orders


def handler(event, context):
    cursor = orders.find(event["query"])
    return [str(doc["_id"]) for doc in cursor]
