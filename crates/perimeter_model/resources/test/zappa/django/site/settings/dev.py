from .base import *

SECRET_KEY = "q8Xv2LmZ9rTfW3kYpB7nHc4JdS6gVwE1aUzR5tNy0oKiPbQxMe"

DEBUG = True

ALLOWED_HOSTS = ["abc123.execute-api.us-east-1.amazonaws.com"]
