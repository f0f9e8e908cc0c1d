import json

import pymysql

conn = pymysql.connect(host="db", user="auction", database="auction")


def handler(event, context):
    for record in event["Records"]:
        bid = json.loads(json.loads(record["body"])["Message"])
        with conn.cursor() as cur:
            cur.execute("UPDATE lots SET bids = bids + 1 WHERE lot = %s", (bid["lot"],))
    conn.commit()
