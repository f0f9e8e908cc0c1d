import os

BASE = "/var/task/locales"


def make_loader(base):
    def load(lang, name="messages.json"):
        with open(os.path.join(base, lang, name)) as f:
            return f.read()

    return load


load_locale = make_loader(BASE)


def handler(event, context):
    lang = event["headers"].get("accept-language", "en").split(",")[0]
    return {"statusCode": 200, "body": load_locale(lang)}


def defaults(event, context):
    return {"statusCode": 200, "body": load_locale("en")}
