"""A login's second factor: set up, asked at sign-in, required of privileged roles (docs/security.md)."""
