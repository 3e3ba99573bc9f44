"""The integration suite's fixtures live in tests/site_fixtures.py, a plugin the root conftest
loads when a site is configured, so that the e2e suite shares the very same session (one site
connection, one HTTP server)."""
