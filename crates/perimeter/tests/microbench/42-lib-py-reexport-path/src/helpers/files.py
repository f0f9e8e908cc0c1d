import os

ROOT = "/mnt/documents"


def read_document(name):
    with open(f"{ROOT}/{name}", "rb") as f:
        return f.read()


def read_thumbnail(name):
    with open(os.path.join(ROOT, "thumbs", os.path.basename(name)), "rb") as f:
        return f.read()
