import json

import pymysql

connection = pymysql.connect(database="shop")


def handler(event, context):
    term = (event.get("queryStringParameters") or {}).get("q", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM products WHERE name = '%s'" % term)
        rows = cursor.fetchall()
    return {"statusCode": 200, "body": json.dumps(rows)}
