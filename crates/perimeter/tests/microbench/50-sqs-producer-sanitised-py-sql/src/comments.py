import sqlite3

db = sqlite3.connect("/tmp/votes.db")


def handler(event, context):
    for record in event["Records"]:
        db.execute("INSERT INTO comments (text) VALUES ('" + record["body"] + "')")
    db.commit()
