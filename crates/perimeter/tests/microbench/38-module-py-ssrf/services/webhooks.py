import requests

PARTNER_BASE = "https://hooks.partner.example.com/v2/"


def deliver(url, payload):
    return requests.post(url, json=payload, timeout=3).status_code


def deliver_to_partner(partner_id, payload):
    return requests.post(PARTNER_BASE + str(int(partner_id)), json=payload, timeout=3).status_code
