from chalice import Blueprint

bp = Blueprint(__name__)


@bp.route("/{order_id}", methods=["delete"], authorizer=None)
def delete_order(order_id):
    return {"deleted": order_id}
