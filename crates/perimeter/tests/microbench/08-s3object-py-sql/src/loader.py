import sqlite3

import boto3

s3 = boto3.client("s3")
db = sqlite3.connect("/tmp/warehouse.db")


def handler(event, context):
    ref = event["Records"][0]["s3"]
    obj = s3.get_object(Bucket=ref["bucket"]["name"], Key=ref["object"]["key"])
    for line in obj["Body"].read().decode("utf-8").splitlines():
        sku, qty = line.split(",")
        db.execute("INSERT INTO stock VALUES ('" + sku + "', " + qty + ")")
    db.commit()
