import json
import os

from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])


def handler(event, context):
    sort = event["queryStringParameters"]["sort"]
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, title FROM posts ORDER BY {sort}")).fetchall()
    return {"statusCode": 200, "body": json.dumps([list(r) for r in rows])}
