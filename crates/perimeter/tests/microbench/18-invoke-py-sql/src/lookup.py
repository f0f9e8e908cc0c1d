import pymysql

conn = pymysql.connect(host="db", user="app", database="members")


def handler(event, context):
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM members WHERE email = '" + event["email"] + "'")
        return cur.fetchall()
