from lib import http


def handler(event, context):
    return http.reserve(event["detail"]["item"])
