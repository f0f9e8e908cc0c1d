import os

from .base import *

SECRET_KEY = os.environ["SECRET_KEY"]

DEBUG = os.environ.get("DJANGO_DEBUG", "false") == "true"
