def resize(blob):
    return None
