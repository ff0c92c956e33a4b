#!/usr/bin/env python3
"""A stand-in for a person in the system browser: opens the consent page, clicks Allow
(posts the page's form with decision=allow), and follows the redirect to the callback."""
import html, re, sys, urllib.parse, urllib.request

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

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
target = urllib.parse.urljoin(page_url, action)
try:
    opener.open(target, data=urllib.parse.urlencode(fields).encode(), timeout=20)
    raise SystemExit("the consent page did not redirect")
except urllib.error.HTTPError as e:
    location = e.headers["Location"]
urllib.request.urlopen(location, timeout=20).read()
