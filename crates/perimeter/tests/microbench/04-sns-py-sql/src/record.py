import json

import psycopg2

conn = psycopg2.connect(host="db", dbname="reviews")


def handler(event, context):
    note = json.loads(event["Records"][0]["Sns"]["Message"])
    with conn.cursor() as cur:
        cur.execute("INSERT INTO feedback (author, body) VALUES ('%s', '%s')" % (note["author"], note["text"]))
    conn.commit()
