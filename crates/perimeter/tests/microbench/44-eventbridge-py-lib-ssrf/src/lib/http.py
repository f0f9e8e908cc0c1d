import json
import urllib.request

INVENTORY_API = "https://inventory.internal.example.com"


def fetch_json(url):
    with urllib.request.urlopen(url, timeout=5) as res:
        return json.loads(res.read())


def reserve(item_id):
    return fetch_json(f"{INVENTORY_API}/reserve/{int(item_id)}")
