"""The spot where the meetings layer adds to the finder and the group page.

`groups` must not import `sessions` (imports flow downwards), yet the finder's cards and the
group page show what only the meetings layer knows: the rhythm in words, the next meeting,
upcoming meetings and "Book a taster seat". So `sessions` fills this spot from its
`AppConfig.ready()`:

    from groups.extensions import meetings_spot
    meetings_spot.fill(
        card_template="meetings/includes/finder_card.html",   # inside each finder card
        page_template="meetings/includes/group_page.html",    # on the group page
        load=add_next_meetings,
    )

`load(groups, user)` is called once per page with every group shown (a list), so it can fetch
what it needs in a constant number of queries and set attributes on each group, e.g.
`group.next_meeting`. The templates are included with `group` and `access` (a GroupAccess) in
their context; while the spot is empty the pages simply leave it out.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from groups.models import BalintGroup

Loader = Callable[[Sequence[BalintGroup], object], None]


@dataclass
class MeetingsSpot:
    card_template: str = ""
    page_template: str = ""
    load: Loader | None = field(default=None, repr=False)

    def fill(self, *, card_template: str, page_template: str, load: Loader) -> None:
        self.card_template, self.page_template, self.load = card_template, page_template, load

    def context(self, groups: Sequence[BalintGroup], user) -> dict:
        """`meetings_card_template` and `meetings_page_template` for the groups' templates."""
        if self.load is not None and groups:
            self.load(groups, user)
        return {
            "meetings_card_template": self.card_template,
            "meetings_page_template": self.page_template,
        }


meetings_spot = MeetingsSpot()
