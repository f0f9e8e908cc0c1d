import json
import os

from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])


def handler(event, context):
    post_id = event["pathParameters"]["id"]
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, title FROM posts WHERE id = :id"), {"id": post_id}).first()
    return {"statusCode": 200, "body": json.dumps(list(row))}
