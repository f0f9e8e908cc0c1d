import os

import pymysql

connection = pymysql.connect(
    host=os.environ["DB_HOST"],
    user=os.environ["DB_USER"],
    password=os.environ["DB_PASSWORD"],
    database="audit",
)


def handler(event, context):
    with connection.cursor() as cursor:
        for record in event["Records"]:
            body = record["body"]
            cursor.execute("INSERT INTO audit VALUES (%s)", (body,))
    connection.commit()
