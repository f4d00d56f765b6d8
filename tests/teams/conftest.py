"""Each teams test starts with an empty cache: the directory lists keep their renderings there."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
