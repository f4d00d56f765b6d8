"""Browser journeys and accessibility checks: Playwright driving Debian's chromium (HITPORTAL_BROWSER=1)."""
