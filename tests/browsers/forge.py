#!/usr/bin/env python3
"""A hostile "browser" for tests. Given the consent URL, it sends a callback to Heft's
listener that a real provider would never send, chosen by HEFT_TEST_FORGE:
  wrong-state   the provider's callback with the state replaced
  no-state      the provider's callback without its state
  deny          error=access_denied with the right state (the user clicked Deny)
  replay        an earlier callback (query in HEFT_TEST_REPLAY) sent to this listener
  record        follow normally, and save the callback's query to HEFT_TEST_RECORD
"""
import os, sys, urllib.parse, urllib.request

url = sys.argv[1]
q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
redirect, state = q["redirect_uri"], q["state"]
mode = os.environ["HEFT_TEST_FORGE"]

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

def provider_callback():
    """Ask the provider (auto-approve) for its redirect, without following it."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as e:
        return e.headers["Location"]
    raise SystemExit("provider did not redirect")

def send(target):
    try:
        urllib.request.urlopen(target, timeout=10).read()
    except Exception:
        pass

loc = provider_callback()
cb = urllib.parse.urlsplit(loc)
params = dict(urllib.parse.parse_qsl(cb.query))
if mode == "wrong-state":
    params["state"] = "forged-" + params["state"][:8]
    send(redirect + "?" + urllib.parse.urlencode(params))
elif mode == "no-state":
    params.pop("state")
    send(redirect + "?" + urllib.parse.urlencode(params))
elif mode == "deny":
    send(redirect + "?" + urllib.parse.urlencode({"error": "access_denied", "state": state}))
elif mode == "replay":
    send(redirect + "?" + os.environ["HEFT_TEST_REPLAY"])
elif mode == "record":
    with open(os.environ["HEFT_TEST_RECORD"], "w") as f:
        f.write(cb.query)
    send(loc)
