#!/usr/bin/env bash
# A stand-in for the system browser: follows the provider's redirects to the callback, as a
# browser does after the user approved (the simulator runs in auto-approve mode).
exec curl -sS -L --max-time 30 -o /dev/null "$1"
