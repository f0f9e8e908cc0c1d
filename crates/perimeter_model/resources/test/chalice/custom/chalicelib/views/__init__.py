from .orders import list_orders, get_order
from .health import health
