"""``GET @ern-statistics`` on an ERN: the figures of ``@@statistics``."""

from ern.cpms.statistics import figures
from plone.restapi.services import Service


class ERNStatistics(Service):
    def reply(self):
        data = figures(self.context.code)
        return {
            "@id": f"{self.context.absolute_url()}/@ern-statistics",
            "ern": self.context.code,
            "panels_total": data["total"],
            "panels_by_state": dict(data["by_state"]),
            "panels_created_by_month": dict(data["by_month"]),
            "closed_panels": data["closed"],
            "days_open_to_closed": dict(data["durations"]),
            "median_days_open_to_closed": data["median_days"],
            "contributions_per_closed_panel": dict(data["contributions"]),
            "closed_with_fewer_than_2_contributions": data["few_contributions"],
        }
