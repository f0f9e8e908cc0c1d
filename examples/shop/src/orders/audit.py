import os

import pymysql

connection = pymysql.connect(host=os.environ.get("DB_HOST"), database="audit")


def handler(event, context):
    with connection.cursor() as cursor:
        for record in event["Records"]:
            cursor.execute("INSERT INTO audit (line) VALUES (%s)", (record["body"],))
    connection.commit()
