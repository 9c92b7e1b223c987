"""``GET @experts`` on a panel: the ERN's experts not yet on it, and its
expert groups; ``q`` keeps those whose name, centre, country or expertise
has every typed word."""

from ern.cpms.invitations import expert_groups_of
from ern.cpms.invitations import experts_of
from ern.cpms.invitations import GROUP_PREFIX
from ern.cpms.invitations import on_panel
from ern.cpms.pseudonym import fold
from plone.restapi.services import Service


def _matches(words, *texts):
    haystack = fold(" ".join(texts))
    return all(word in haystack for word in words)


class Experts(Service):
    def reply(self):
        panel = self.context
        query = self.request.form.get("q")
        words = fold(query).split() if isinstance(query, str) else []
        taken = on_panel(panel)
        experts = [
            {
                "id": expert.userid,
                "fullname": expert.fullname,
                "centres": [
                    {"title": title, "country": country}
                    for title, country in expert.centres
                ],
                "expertise": expert.expertise,
            }
            for expert in experts_of(panel.ern)
            if expert.userid not in taken
            and _matches(
                words,
                expert.fullname,
                expert.expertise,
                *(f"{title} {country}" for title, country in expert.centres),
            )
        ]
        groups = [
            {
                "id": f"{GROUP_PREFIX}{group.UID()}",
                "title": group.Title(),
                "experts": list(group.experts),
            }
            for group in expert_groups_of(panel.ern)
            if _matches(words, group.Title())
        ]
        return {"experts": experts, "expert_groups": groups}
