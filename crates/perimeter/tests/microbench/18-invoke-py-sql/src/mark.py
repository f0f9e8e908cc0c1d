import pymysql

conn = pymysql.connect(host="db", user="app", database="members")


def handler(event, context):
    with conn.cursor() as cur:
        cur.execute("UPDATE members SET seen = NOW() WHERE email = %s", (event["email"],))
    conn.commit()
