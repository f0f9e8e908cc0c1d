import json
import os

import pymysql

connection = pymysql.connect(
    host=os.environ.get("DB_HOST"),
    user=os.environ.get("DB_USER"),
    password=os.environ.get("DB_PASSWORD"),
    database="shop",
)


def handler(event, context):
    for record in event["Records"]:
        name = json.loads(record["body"])["name"]
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM Inventory WHERE ItemName='{name}'")
    connection.commit()
