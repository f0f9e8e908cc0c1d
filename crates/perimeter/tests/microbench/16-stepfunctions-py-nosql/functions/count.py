import os

from pymongo import MongoClient

orders = MongoClient(os.environ["MONGO_URL"]).shop.orders


def handler(event, context):
    return orders.count_documents({"owner": str(event["owner"])})
