#!/usr/bin/env python3
"""A stand-in for a person in the system browser: opens the consent page, clicks Allow and
follows the redirect to the callback."""
import os, sys, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from consent import allow

urllib.request.urlopen(allow(sys.argv[1]), timeout=20).read()
