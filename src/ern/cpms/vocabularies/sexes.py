"""Sex as recorded at enrolment."""

from ern.cpms import _
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


SEXES = (
    ("female", _("Female")),
    ("male", _("Male")),
    ("other", _("Other / intersex")),
    ("unknown", _("Unknown")),
)


@provider(IVocabularyFactory)
def sexes_vocabulary(context):
    """Female, male, other / intersex, unknown."""
    return SimpleVocabulary(
        [SimpleTerm(value=value, token=value, title=title) for value, title in SEXES]
    )
