#!/usr/bin/env python3
"""A stand-in for a person in the system browser when the callback is Heft's own URL scheme:
first a forged `heft:` link (wrong state) reaches the OS, then the person clicks Allow on the
consent page and the browser hands the `heft://callback?...` redirect to the OS (xdg-open),
which starts Heft's registered handler; the running window receives it (single instance)."""
import html, re, subprocess, sys, time, urllib.parse, urllib.request

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

subprocess.run(["xdg-open", "heft://callback?code=forged&state=not-this-authorization"], check=True, timeout=30)
time.sleep(2)
opener = urllib.request.build_opener(NoRedirect)
page_url = sys.argv[1]
page = urllib.request.urlopen(page_url, timeout=20).read().decode()
action = re.search(r'<form[^>]*action="([^"]+)"', page).group(1)
fields = {html.unescape(n): html.unescape(v)
          for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}
sel = re.search(r'<option value="([^"]+)" selected', page)
if sel:
    fields["userid"] = sel.group(1)
fields["decision"] = "allow"
try:
    opener.open(urllib.parse.urljoin(page_url, action), data=urllib.parse.urlencode(fields).encode(), timeout=20)
    raise SystemExit("the consent page did not redirect")
except urllib.error.HTTPError as e:
    location = e.headers["Location"]
if not location.startswith("heft:"):
    raise SystemExit("expected a heft: redirect, got " + location)
subprocess.run(["xdg-open", location], check=True, timeout=30)
