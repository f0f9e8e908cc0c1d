from chalicelib.constants import *

TABLE = "orders"
