"""ERN-specific questions: a questionnaire an ERN coordinator designs with
collective.easyform (through the web, no code) inside the ERN's folder.

When a panel is held in that ERN, the questionnaire is the second step of
the consultation form (``@@questionnaire`` on the panel). The answers are
stored on the panel, in an annotation, with a snapshot of the questions as
they were asked (so later edits of the questionnaire do not change what a
panel answered); easyform's own actions (mailers, savers) never run.
"""

from collective.easyform.api import get_schema
from collective.easyform.interfaces.fields import ILabel
from datetime import date
from datetime import datetime
from ern.cpms import _
from ern.cpms.content.ern import ern_of
from ern.cpms.panel_content import children
from persistent.mapping import PersistentMapping
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.schema import getFieldsInOrder
from zope.schema.interfaces import IChoice
from zope.schema.interfaces import ICollection


ANNOTATION = "ern.cpms.questionnaire"


def questionnaire_of(ern_code):
    """The ERN's EasyForm (the first one in the ERN's folder), or None."""
    ern = ern_of(ern_code)
    forms = children(ern, "EasyForm") if ern is not None else []
    return forms[0] if forms else None


def questions(form):
    """(name, field) of the questions that take an answer."""
    return [
        (name, field)
        for name, field in getFieldsInOrder(get_schema(form))
        if not ILabel.providedBy(field)
    ]


def _display(field, value):
    """A value as readable text (term titles for choices)."""
    if value is None:
        return ""
    if ICollection.providedBy(field):
        return ", ".join(_display(field.value_type, item) for item in value)
    if IChoice.providedBy(field):
        try:
            term = field.vocabulary.getTerm(value)
        except (LookupError, AttributeError):
            return str(value)
        return str(term.title or term.value)
    if isinstance(value, bool):
        return api.portal.translate(_("yes") if value else _("no"))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def store_answers(panel, form, data):
    """Keep the answers and the questions they answer on the panel."""
    answers = []
    values = {}
    for name, field in questions(form):
        if name not in data:
            continue
        value = data[name]
        values[name] = value
        answers.append(
            {
                "name": name,
                "question": str(api.portal.translate(field.title)),
                "answer": _display(field.bind(form), value),
            }
        )
    IAnnotations(panel)[ANNOTATION] = PersistentMapping(
        {
            "form": form.UID(),
            "values": PersistentMapping(values),
            "answers": answers,
            "answered": datetime.now().isoformat(timespec="seconds"),
        }
    )


def stored(panel):
    return IAnnotations(panel).get(ANNOTATION)


def answers_of(panel):
    """[{name, question, answer}] as answered, or []."""
    record = stored(panel)
    return list(record["answers"]) if record else []


def values_of(panel):
    record = stored(panel)
    return dict(record["values"]) if record else {}


def missing_answers(panel):
    """Titles of required questions of the ERN's questionnaire not answered."""
    form = questionnaire_of(panel.ern)
    if form is None:
        return []
    values = values_of(panel)
    return [
        str(api.portal.translate(field.title))
        for name, field in questions(form)
        if field.required and values.get(name) in (None, "", [], ())
    ]
