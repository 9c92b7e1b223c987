"""``@@statistics`` and ``@@statistics.csv`` on an ERN: its coordinators'
figures, as SVG bar charts drawn on the server (no script, no CDN) with the
same numbers in tables beside them, and as a CSV download."""

from ern.cpms import _
from ern.cpms.browser.views import state_title
from ern.cpms.statistics import as_csv
from ern.cpms.statistics import figures
from html import escape
from plone import api
from plone.memoize.instance import memoize
from Products.Five.browser import BrowserView


ROW = 26
LABEL_WIDTH = 170
BAR_SPACE = 300
WIDTH = LABEL_WIDTH + BAR_SPACE + 40


def bar_chart(pairs, label):
    """An accessible SVG chart of (key, value) pairs, one horizontal bar a
    row (long labels never overlap), scaling to its column: the picture has
    a title; the table beside it carries the numbers."""
    highest = max((value for _key, value in pairs), default=0) or 1
    height = len(pairs) * ROW + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cpms-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'style="max-width: {WIDTH}px">',
        f"<title>{escape(label)}</title>",
    ]
    for number, (key, value) in enumerate(pairs):
        y = number * ROW + 2
        bar = round(value / highest * BAR_SPACE)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" '
            f'font-size="13" fill="#1a1a1a">{escape(str(key))}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{bar}" height="{ROW - 8}" '
            f'fill="#0b5394"><title>{escape(str(key))}: {value}</title></rect>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 17}" font-size="13" '
            f'fill="#1a1a1a">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


class ERNStatistics(BrowserView):
    """The statistics page of one ERN."""

    @memoize
    def data(self):
        return figures(self.context.code)

    def sections(self):
        data = self.data()
        states = [(state_title(state), n) for state, n in data["by_state"]]
        months = data["by_month"]
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

    def median_days(self):
        """The median, whole when it is (a half day otherwise)."""
        days = self.data()["median_days"]
        if days is None:
            return None
        return int(days) if float(days).is_integer() else round(days, 1)

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
