"""The read-only JSON API (Django REST framework), with the same permission rules as the pages."""
