from urllib.parse import quote
from urllib.request import urlopen


def handler(event, context):
    city = event["queryStringParameters"]["city"]
    with urlopen("https://weather.example.com/api/" + quote(city, safe=""), timeout=10) as res:
        return {"statusCode": 200, "body": res.read().decode()}
