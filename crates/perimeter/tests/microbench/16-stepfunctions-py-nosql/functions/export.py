import json
import os

import boto3

sfn = boto3.client("stepfunctions")


def handler(event, context):
    body = json.loads(event["body"])
    sfn.start_execution(
        stateMachineArn=os.environ["WORKFLOW"],
        input=json.dumps({"owner": body["owner"], "query": body["query"]}),
    )
    return {"statusCode": 202}
