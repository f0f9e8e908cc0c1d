import base64
import json
import sqlite3

db = sqlite3.connect("/tmp/readings.db")


def handler(event, context):
    for record in event["Records"]:
        reading = json.loads(base64.b64decode(record["kinesis"]["data"]).decode())
        db.execute("UPDATE averages SET n = n + 1, total = total + ? WHERE sensor = ?", (reading["value"], reading["sensor"]))
    db.commit()
