import sqlite3

_db = sqlite3.connect("/tmp/accounts.db")


def create_account(username, email):
    _db.execute("INSERT INTO accounts (username, email) VALUES ('%s', '%s')" % (username, email))
    _db.commit()


def account_exists(username):
    row = _db.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone()
    return row is not None
