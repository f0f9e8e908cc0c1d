import os

from chalicelib.core import app as api

api.debug = os.environ.get("DEBUG") == "1"


@api.route("/ping")
def ping():
    return {"pong": True}
