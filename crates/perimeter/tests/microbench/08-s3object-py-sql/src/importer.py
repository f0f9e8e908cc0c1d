import os
import uuid

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    csv_text = event["body"]
    s3.put_object(Bucket=os.environ["STAGING"], Key=f"imports/{uuid.uuid4()}.csv", Body=csv_text)
    return {"statusCode": 202}
