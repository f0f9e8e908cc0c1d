from chalice import Blueprint

bp = Blueprint(__name__)


@bp.route("/users", methods=["GET"])
def users():
    return []


def stats():
    return {}


bp.route("/stats", methods=["GET"])(stats)
