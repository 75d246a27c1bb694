"""A cached public page carries the version it was made under and is read with the current
version in one round trip: a page made while its data changed is never served afterwards."""

import pytest
from django.core.cache import cache
from django.http import HttpResponse

from motcua.core import pagecache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _page(made: list, *, change_while_making: bool = False):
    @pagecache.public_page("test-versions")
    def view(request):
        made.append(1)
        if change_while_making and len(made) == 1:
            pagecache.bump("test-versions")  # the data changed while this page was being made
        return HttpResponse(f"page {len(made)}")

    return view


def test_the_second_visitor_is_served_from_the_cache_until_a_change(rf):
    made: list = []
    view = _page(made)
    assert view(rf.get("/x")).content == b"page 1"
    assert view(rf.get("/x")).content == b"page 1"
    assert len(made) == 1
    pagecache.bump("test-versions")
    assert view(rf.get("/x")).content == b"page 2"


def test_a_page_made_while_its_data_changed_is_made_again(rf):
    made: list = []
    view = _page(made, change_while_making=True)
    assert view(rf.get("/x")).content == b"page 1"
    assert view(rf.get("/x")).content == b"page 2"  # the first was stored under the old version
    assert view(rf.get("/x")).content == b"page 2"  # this one is current: from the cache
    assert len(made) == 2


def test_an_evicted_version_never_serves_an_older_page(rf):
    made: list = []
    view = _page(made)
    view(rf.get("/x"))
    cache.delete(pagecache.VERSION_PREFIX + "test-versions")  # evicted: restarts from the clock
    assert view(rf.get("/x")).content == b"page 2"
