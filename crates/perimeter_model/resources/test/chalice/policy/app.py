from chalice import Chalice, Cron

app = Chalice(app_name="reports")


@app.route("/reports")
def reports():
    return []


@app.schedule(Cron(0, 3, "*", "*", "?", "*"))
def nightly(event):
    return None
