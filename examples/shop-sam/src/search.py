import json
import os

import pymysql

connection = pymysql.connect(host=os.environ["DB_HOST"], user=os.environ["DB_USER"], database="shop")


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    category = params.get("category", "all")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name, price FROM products WHERE category = '%s'" % category)
        rows = cursor.fetchall()
    products = [{"id": r[0], "name": r[1], "price": float(r[2])} for r in rows]
    return {"statusCode": 200, "body": json.dumps(products)}
