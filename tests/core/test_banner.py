"""The page marking banner: highest classification, narrowest releasability, intersected REL TO lists."""

from __future__ import annotations

from shieldwall.core.banner import UNMARKED, banner_for_marking, combine, page_banner
from shieldwall.core.markings import Classification as C
from shieldwall.core.markings import Marking
from shieldwall.core.markings import Releasability as R


def test_nothing_marked_is_unclassified() -> None:
    assert combine([]) is None
    assert banner_for_marking(None) is UNMARKED
    assert UNMARKED.text == "UNCLASSIFIED"
    assert page_banner().text == "UNCLASSIFIED"
    assert page_banner(None, []).text == "UNCLASSIFIED"


def test_public_only_page() -> None:
    banner = banner_for_marking(combine([Marking(C.UNCLASSIFIED, R.PUBLIC)]))
    assert (banner.text, banner.level) == ("UNCLASSIFIED // PUBLIC RELEASE", "unclassified")


def test_highest_classification_and_narrowest_releasability() -> None:
    markings = [
        Marking(C.UNCLASSIFIED, R.PUBLIC),
        Marking(C.CONFIDENTIAL, R.COALITION),
        Marking(C.RESTRICTED, R.REL_TO, ("FRA", "GBR")),
    ]
    banner = banner_for_marking(combine(markings))
    assert banner.text == "CONFIDENTIAL // REL TO FRA, GBR"
    assert banner.level == "confidential"


def test_coalition_beats_public() -> None:
    banner = banner_for_marking(combine([Marking(C.UNCLASSIFIED, R.PUBLIC), Marking(C.RESTRICTED, R.COALITION)]))
    assert (banner.text, banner.level) == ("RESTRICTED // REL TO COALITION", "restricted")


def test_rel_to_lists_intersect() -> None:
    banner = banner_for_marking(combine([
        Marking(C.RESTRICTED, R.REL_TO, ("FRA", "GBR", "UKR")),
        Marking(C.RESTRICTED, R.REL_TO, ("GBR", "UKR")),
    ]))
    assert banner.text == "RESTRICTED // REL TO GBR, UKR"


def test_disjoint_rel_to_lists_say_so() -> None:
    banner = banner_for_marking(combine([
        Marking(C.SECRET, R.REL_TO, ("FRA",)),
        Marking(C.RESTRICTED, R.REL_TO, ("GBR",)),
    ]))
    assert banner.text == "SECRET // NO COMMON RELEASABILITY"
    assert banner.level == "secret"


def test_page_banner_reads_prefetched_rel_to(marked_meetings, django_assert_num_queries) -> None:
    from shieldwall.coalition.models import Meeting
    from shieldwall.core.actor import Actor
    from shieldwall.core.markings import Classification

    actor = Actor(user_id=1, username="x", nation_id=marked_meetings["rel_fra"].originator_id, nation_code="GBR",
                  clearance=Classification.SECRET, is_member=True)
    meetings = list(Meeting.objects.visible_to(actor).prefetch_related("rel_to"))
    with django_assert_num_queries(0):
        banner = page_banner(meetings)
    # REL TO FRA, GBR and REL TO GBR, UKR on one page: only GBR may receive it.
    assert banner.text == "CONFIDENTIAL // REL TO GBR"
