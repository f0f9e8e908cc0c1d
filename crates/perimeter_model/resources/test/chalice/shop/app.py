from chalice import Chalice, CORSConfig, IAMAuthorizer, Rate

from chalicelib import orders
from chalicelib.admin import admin_bp as admin

app = Chalice(app_name="shop")
app.register_blueprint(orders.bp, url_prefix="/orders")
app.register_blueprint(admin, name_prefix="admin_")
iam = IAMAuthorizer()
cors = CORSConfig(allow_origin="https://shop.example.com", allow_credentials=True)


@app.authorizer()
def token_auth(auth_request):
    return auth_request.token == "letmein"


@app.route("/", cors=cors)
def index():
    return {"hello": "world"}


@app.route(
    "/items/{item_id}",
    methods=["GET", "PUT"],
    authorizer=token_auth,
)
def item(item_id):
    return {"id": item_id}


@app.route("/keys", api_key_required=True)
def keys():
    return []


@app.route("/me", authorizer=iam)
def me():
    return app.current_request.context


@app.on_s3_event(bucket="uploads", prefix="images/", suffix=".png")
def resize(event):
    return event.key


@app.on_sqs_message(queue="orders-queue", batch_size=5)
def consume(event):
    for record in event:
        print(record.body)


@app.on_sns_message(topic="alerts")
def alert(event):
    return event.message


@app.schedule(Rate(1, unit=Rate.HOURS))
def hourly(event):
    return None


@app.lambda_function(name="worker")
def work(event, context):
    return event


@app.on_ws_connect()
def connect(event):
    return None


# @app.route("/commented-out")
text = """
@app.route("/in-a-string")
"""
