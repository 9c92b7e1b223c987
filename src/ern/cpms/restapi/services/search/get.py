"""GET @search, where search text that the full-text index cannot read
(only stop words or control characters) answers 400 naming the field, as
Plone's search page tells it, instead of plone.restapi's 500 (found by
schemathesis, tests/test_openapi.py)."""

from ern.cpms import _
from ern.cpms.restapi.services import bad_request
from plone.restapi.services.search.get import SearchGet
from Products.ZCTextIndex.ParseTree import ParseError


class ReadableSearchGet(SearchGet):
    def reply(self):
        try:
            return super().reply()
        except ParseError:
            return bad_request(
                self.request,
                "SearchableText",
                _("There is no word to search for in this text."),
            )
