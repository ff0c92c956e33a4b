"""The person at the simulator's consent page, shared by the stand-in browsers: open the page,
click Allow (post its form with decision=allow) and return where it redirects to."""
import html, re, urllib.error, urllib.parse, urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def allow(page_url):
    page = urllib.request.urlopen(page_url, timeout=20).read().decode()
    action = re.search(r'<form[^>]*action="([^"]+)"', page).group(1)
    fields = {html.unescape(n): html.unescape(v)
              for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}
    sel = re.search(r'<option value="([^"]+)" selected', page)
    if sel:
        fields["userid"] = sel.group(1)
    fields["decision"] = "allow"
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(urllib.parse.urljoin(page_url, action), data=urllib.parse.urlencode(fields).encode(), timeout=20)
    except urllib.error.HTTPError as e:
        return e.headers["Location"]
    raise SystemExit("the consent page did not redirect")
