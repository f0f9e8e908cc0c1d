class ChaliceApp(object):
    """Named after Chalice, but not a Chalice app."""

    def route(self, path):
        return lambda f: f


app = ChaliceApp()
app.debug = True


@app.route("/x")
def x():
    return {}
