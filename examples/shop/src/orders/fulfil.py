import json
import os

import pymysql

connection = pymysql.connect(
    host=os.environ["DB_HOST"],
    user=os.environ["DB_USER"],
    password=os.environ["DB_PASSWORD"],
    database="shop",
)


def handler(event, context):
    with connection.cursor() as cursor:
        for record in event["Records"]:
            name = json.loads(record["body"])["name"]
            cursor.execute(f"DELETE FROM Inventory WHERE ItemName='{name}'")
    connection.commit()
    return {"fulfilled": len(event["Records"])}
