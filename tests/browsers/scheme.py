#!/usr/bin/env python3
"""A stand-in for a person in the system browser when the callback is Heft's own URL scheme:
first a forged `heft:` link (wrong state) reaches the OS, then the person clicks Allow on the
consent page and the browser hands the `heft://callback?...` redirect to the OS (xdg-open),
which starts Heft's registered handler; the running window receives it (single instance)."""
import os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from consent import allow

subprocess.run(["xdg-open", "heft://callback?code=forged&state=not-this-authorization"], check=True, timeout=30)
time.sleep(2)
location = allow(sys.argv[1])
if not location.startswith("heft:"):
    raise SystemExit("expected a heft: redirect, got " + location)
subprocess.run(["xdg-open", location], check=True, timeout=30)
