"""Each test of the project-level pages starts with an empty cache: the audit log keeps its renderings there."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
