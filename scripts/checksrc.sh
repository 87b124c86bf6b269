#!/usr/bin/env bash
# Runs the source checks (see checksrc.py).
exec python3 "$(dirname "$0")/checksrc.py"
