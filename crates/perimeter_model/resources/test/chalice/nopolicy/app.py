import chalice

app = chalice.Chalice(app_name="nopolicy")


@app.route("/")
def index():
    return {}
