def cleanup(event, context):
    return None
