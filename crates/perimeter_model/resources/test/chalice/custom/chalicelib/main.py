import os

from chalice import AuthResponse, Chalice

from chalicelib import views
from chalicelib.admin import bp


class CustomChalice(Chalice):
    """Adds the caller's id to every request."""

    def caller(self):
        return self.current_request.context["authorizer"]["id"]


class ChaliceLogging(object):
    pass


logging = ChaliceLogging()

app = CustomChalice(app_name="custom")
if os.environ.get("MODE") != "PROD":
    app.debug = True


@app.authorizer()
def token_auth(auth_request):
    return AuthResponse(routes=["*"], principal_id="user")


def compress(func):
    return func


app.route("/orders", methods=["GET"], authorizer=token_auth)(views.list_orders)
app.route(
    "/orders/{order_id}",
    methods=["GET", "DELETE"],
    authorizer=token_auth,
)(compress(views.get_order))
app.route("/health", methods=["GET"])(views.health)


@app.lambda_function(name="worker")
def work(event, context):
    return {}


@app.schedule("rate(1 hour)")
def hourly(event):
    return None


@app.on_sqs_message(queue="jobs")
def on_job(event):
    for record in event:
        print(record.body)


app.register_blueprint(bp, url_prefix="/admin")
