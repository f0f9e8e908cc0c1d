import azure.functions as func

bp = func.Blueprint()


@bp.route(route="orders/{id}", auth_level=func.AuthLevel.FUNCTION)
def get_order(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(req.route_params.get("id"))
