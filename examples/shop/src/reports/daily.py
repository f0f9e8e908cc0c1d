import json
import os
import traceback
from datetime import date, timedelta

import pymysql


def handler(event, context):
    try:
        connection = pymysql.connect(
            host=os.environ["DB_HOST"],
            user=os.environ["DB_USER"],
            password=os.environ["DB_PASSWORD"],
            database="shop",
        )
        day = (date.today() - timedelta(days=1)).isoformat()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), COALESCE(SUM(total), 0) FROM orders WHERE DATE(created_at) = %s",
                (day,),
            )
            count, revenue = cursor.fetchone()
        body = {"day": day, "orders": count, "revenue": float(revenue)}
        return {"statusCode": 200, "body": json.dumps(body)}
    except Exception:
        return {"statusCode": 500, "body": traceback.format_exc()}
