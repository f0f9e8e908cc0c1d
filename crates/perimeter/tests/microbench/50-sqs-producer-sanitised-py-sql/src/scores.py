import sqlite3

db = sqlite3.connect("/tmp/votes.db")


def handler(event, context):
    for record in event["Records"]:
        db.execute("UPDATE totals SET score = score + " + record["body"])
    db.commit()
