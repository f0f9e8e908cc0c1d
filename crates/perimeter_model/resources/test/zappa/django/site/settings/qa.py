from .dev import *

ALLOWED_HOSTS = ["qa.example.org"]
