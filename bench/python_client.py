#!/usr/bin/env python3
"""A straightforward Python client for the comparison: OAuth 2.0 code exchange against the
simulator (auto-approve), then every getmeas page fetched and stored into SQLite
(urllib + sqlite3 from the standard library, one transaction per page).
Usage: python_client.py SIM_URL DB_PATH  → prints requests made."""
import json, sqlite3, sys, urllib.parse, urllib.request

sim, db = sys.argv[1], sys.argv[2]

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

q = urllib.parse.urlencode({"response_type": "code", "client_id": "heft-demo-client", "scope": "user.metrics",
                            "redirect_uri": "http://localhost:8765/callback", "state": "bench"})
try:
    urllib.request.build_opener(NoRedirect).open(f"{sim}/oauth2_user/authorize2?{q}")
except urllib.error.HTTPError as e:
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(e.headers["Location"]).query))["code"]
form = urllib.parse.urlencode({"action": "requesttoken", "grant_type": "authorization_code", "client_id": "heft-demo-client",
                               "client_secret": "heft-demo-secret", "code": code,
                               "redirect_uri": "http://localhost:8765/callback"}).encode()
token = json.load(urllib.request.urlopen(f"{sim}/v2/oauth2", data=form))["body"]["access_token"]

con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
con.execute("CREATE TABLE IF NOT EXISTS groups (grpid INTEGER PRIMARY KEY, date INTEGER, category INTEGER, attrib INTEGER)")
con.execute("CREATE TABLE IF NOT EXISTS measures (grpid INTEGER, type INTEGER, position INTEGER, value INTEGER, unit INTEGER)")
offset, requests = 0, 0
while True:
    req = urllib.request.Request(f"{sim}/measure", data=urllib.parse.urlencode({"action": "getmeas", "offset": offset}).encode(),
                                 headers={"Authorization": f"Bearer {token}"})
    body = json.load(urllib.request.urlopen(req))["body"]
    requests += 1
    with con:
        for g in body["measuregrps"]:
            con.execute("INSERT OR REPLACE INTO groups VALUES (?,?,?,?)", (g["grpid"], g["date"], g["category"], g["attrib"]))
            con.execute("DELETE FROM measures WHERE grpid = ?", (g["grpid"],))
            con.executemany("INSERT INTO measures VALUES (?,?,?,?,?)",
                            [(g["grpid"], m["type"], m.get("position"), m["value"], m["unit"]) for m in g["measures"]])
    if not body.get("more"):
        break
    offset = body["offset"]
print(requests)
