import chalice

app = chalice.Chalice(app_name="imported")


@app.on_sns_message(topic="events")
def on_event(event):
    return event.message
