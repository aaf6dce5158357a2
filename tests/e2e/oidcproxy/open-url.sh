#!/bin/sh
# The "browser" mcp-remote opens. mcp-remote calls the `open` package, whose bundled xdg-open
# finds no desktop session here and runs $BROWSER with the sign-in URL; this script hands
# the URL to test.mjs (which drives headless Chromium) by appending it to a file.
printf '%s\n' "$1" >>"${OIDCPROXY_E2E_URL_FILE:?}"
