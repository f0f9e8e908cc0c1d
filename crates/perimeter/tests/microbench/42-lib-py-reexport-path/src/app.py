import base64

from helpers import read_document, read_thumbnail


def download(event, context):
    data = read_document(event["pathParameters"]["name"])
    return {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(data).decode()}


def thumbnail(event, context):
    data = read_thumbnail(event["pathParameters"]["name"])
    return {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(data).decode()}
