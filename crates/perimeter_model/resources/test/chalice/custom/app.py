from chalicelib.main import *
