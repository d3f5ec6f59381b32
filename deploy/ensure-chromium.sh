#!/usr/bin/env bash
# Makes sure the tests' chromium is installed (filled in by the feature that needs it).
exit 0
