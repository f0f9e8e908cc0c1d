from chalicelib.config import *
from chalicelib.main import *
