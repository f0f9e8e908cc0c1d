from chalice import Blueprint

admin_bp = Blueprint(__name__)


@admin_bp.route("/admin")
def dashboard():
    return {}


@admin_bp.on_sqs_message(queue="audit")
def audit(event):
    return None
