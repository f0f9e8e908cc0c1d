import json

import psycopg2

conn = psycopg2.connect(host="db", dbname="reviews")


def handler(event, context):
    note = json.loads(event["Records"][0]["Sns"]["Message"])
    with conn.cursor() as cur:
        cur.execute("UPDATE authors SET notes = notes + 1 WHERE name = %s", (note["author"],))
    conn.commit()
