import json

import pymysql

conn = pymysql.connect(host="db", user="auction", database="auction")


def handler(event, context):
    for record in event["Records"]:
        bid = json.loads(record["body"])
        with conn.cursor() as cur:
            cur.execute(f"INSERT INTO ledger (lot, bidder) VALUES ('{bid['lot']}', '{bid['bidder']}')")
    conn.commit()
