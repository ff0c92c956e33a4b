#!/usr/bin/env bash
# A browser that opens the page and never comes back (the person walked away).
exit 0
