"""``@@statistics`` and ``@@statistics.csv`` on an ERN: its coordinators'
figures, as SVG bar charts drawn on the server (no script, no CDN) with the
same numbers in tables beside them, and as a CSV download."""

from ern.cpms import _
from ern.cpms.statistics import as_csv
from ern.cpms.statistics import figures
from html import escape
from plone import api
from plone.memoize.instance import memoize
from Products.Five.browser import BrowserView


BAR_WIDTH = 36
GAP = 12
HEIGHT = 160
LABEL_SPACE = 40


def bar_chart(pairs, label):
    """An accessible SVG bar chart of (key, value) pairs: the picture has a
    title and a description; the table beside it carries the numbers."""
    highest = max((value for _key, value in pairs), default=0) or 1
    width = len(pairs) * (BAR_WIDTH + GAP) + GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cpms-chart" role="img" '
        f'width="{width}" height="{HEIGHT + LABEL_SPACE}" '
        f'viewBox="0 0 {width} {HEIGHT + LABEL_SPACE}">',
        f"<title>{escape(label)}</title>",
    ]
    for number, (key, value) in enumerate(pairs):
        bar = round(value / highest * (HEIGHT - 20))
        x = GAP + number * (BAR_WIDTH + GAP)
        y = HEIGHT - bar
        parts.append(
            f'<rect x="{x}" y="{y}" width="{BAR_WIDTH}" height="{bar}" '
            f'fill="#0b5394"><title>{escape(str(key))}: {value}</title></rect>'
        )
        parts.append(
            f'<text x="{x + BAR_WIDTH / 2}" y="{y - 4}" text-anchor="middle" '
            f'font-size="12" fill="#1a1a1a">{value}</text>'
        )
        parts.append(
            f'<text x="{x + BAR_WIDTH / 2}" y="{HEIGHT + 16}" text-anchor="middle" '
            f'font-size="11" fill="#1a1a1a">{escape(str(key))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


class ERNStatistics(BrowserView):
    """The statistics page of one ERN."""

    @memoize
    def data(self):
        return figures(self.context.code)

    def state_title(self, state):
        workflow = api.portal.get_tool("portal_workflow")
        return api.portal.translate(
            workflow.getTitleForStateOnType(state, "Panel"), domain="ern.cpms"
        )

    def sections(self):
        data = self.data()
        states = [(self.state_title(state), n) for state, n in data["by_state"]]
        months = [(month[2:], n) for month, n in data["by_month"]]
        return [
            self._section("states", _("Panels per state"), _("State"), states),
            self._section("months", _("Panels created per month"), _("Month"), months),
            self._section(
                "durations",
                _("Days from opening to closure (closed panels)"),
                _("Days"),
                data["durations"],
            ),
            self._section(
                "contributions",
                _("Contributions per closed panel"),
                _("Contributions"),
                data["contributions"],
            ),
        ]

    def _section(self, name, title, key_title, pairs):
        translated = api.portal.translate(title)
        return {
            "name": name,
            "title": title,
            "key_title": key_title,
            "rows": pairs,
            "chart": bar_chart(pairs, translated),
        }

    def few_share(self):
        data = self.data()
        if not data["closed"]:
            return None
        return round(100 * data["few_contributions"] / data["closed"])


class ERNStatisticsCSV(BrowserView):
    """The same figures as a CSV file."""

    def __call__(self):
        code = self.context.code
        response = self.request.response
        response.setHeader("Content-Type", "text/csv; charset=utf-8")
        response.setHeader(
            "Content-Disposition",
            f'attachment; filename="{code.lower()}-statistics.csv"',
        )
        return as_csv(code, figures(code))
