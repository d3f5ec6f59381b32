#!/usr/bin/env bash
# Makes sure the tests' radicale is installed (filled in by the feature that needs it).
exit 0
