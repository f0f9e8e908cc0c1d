import requests


def handler(event, context):
    res = requests.post("https://" + event["host"] + "/notes", json={"note": event["note"]}, timeout=3)
    return res.status_code
