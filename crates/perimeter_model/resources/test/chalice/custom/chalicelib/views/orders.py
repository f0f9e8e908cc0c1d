def list_orders():
    return []


def get_order(order_id):
    return {"id": order_id}
