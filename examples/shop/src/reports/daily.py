import json
import traceback
from datetime import date

import pymysql


def handler(event, context):
    try:
        connection = pymysql.connect(database="shop")
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM orders WHERE day = %s", (date.today(),))
            (count,) = cursor.fetchone()
        return {"statusCode": 200, "body": json.dumps({"orders": count})}
    except Exception:
        return {"statusCode": 500, "body": traceback.format_exc()}
