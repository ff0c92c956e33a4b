#!/usr/bin/env python3
"""A hostile "browser" for the OAuth 1.0a flow. It asks the provider (auto-approve) for its
redirect, then sends Heft's listener a callback chosen by HEFT_TEST_FORGE:
  wrong-token   the callback with another oauth_token than the pending request token
  no-verifier   the callback without oauth_verifier
  refused       oauth_problem=user_refused with the right token (the user clicked Deny)
"""
import os, sys, urllib.parse, urllib.request

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

try:
    urllib.request.build_opener(NoRedirect).open(sys.argv[1], timeout=10)
    raise SystemExit("provider did not redirect")
except urllib.error.HTTPError as e:
    loc = e.headers["Location"]
cb = urllib.parse.urlsplit(loc)
params = dict(urllib.parse.parse_qsl(cb.query))
base = f"{cb.scheme}://{cb.netloc}{cb.path}"
mode = os.environ["HEFT_TEST_FORGE"]
if mode == "wrong-token":
    params["oauth_token"] = "forged" + params["oauth_token"][6:]
elif mode == "no-verifier":
    params.pop("oauth_verifier")
elif mode == "refused":
    params = {"oauth_token": params["oauth_token"], "oauth_problem": "user_refused"}
try:
    urllib.request.urlopen(base + "?" + urllib.parse.urlencode(params), timeout=10).read()
except Exception:
    pass
