import azure.functions as func

from orders import bp

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(bp)


@app.function_name(name="Submit")
@app.route(route="orders", methods=[func.HttpMethod.POST])
@app.queue_output(arg_name="out", queue_name="orders", connection="Storage")
def submit(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse:
    out.set(req.get_body().decode())
    return func.HttpResponse("queued")


@app.queue_trigger(arg_name="msg", queue_name="orders", connection="Storage")
def process(msg: func.QueueMessage) -> None:
    return None
