"""A real OpenID Connect provider for the single sign-on tests: a second, tiny Django project on
django-oauth-toolkit (OIDC on, RS256), started as its own process by tests/hitportal/test_sso.py.

Its logins are made at start-up, each standing for one case the portal must handle (see serve.py);
`/login-as/<username>/` signs one in (this provider exists only for tests). Nothing here is imported
by the portal.
"""
