"""Each reporting test starts with an empty cache: the board dashboard keeps its renderings there."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
