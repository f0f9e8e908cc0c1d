import os

TEMPLATES = "/opt/templates"


def handler(event, context):
    name = os.path.basename(event["detail"]["template"])
    with open(os.path.join(TEMPLATES, name)) as f:
        return {"preview": f.read(200)}
