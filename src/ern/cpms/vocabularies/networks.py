"""The 24 European Reference Networks, as a vocabulary."""

from ern.cpms import _
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary

import typing


class Network(typing.NamedTuple):
    """One European Reference Network: its code and its thematic area."""

    code: str
    thematic_area: str


# The networks approved by the ERN Board of Member States; codes as the
# networks write them.
NETWORKS = (
    Network("Endo-ERN", _("Rare endocrine conditions")),
    Network("EpiCARE", _("Rare and complex epilepsies")),
    Network("ERKNet", _("Rare kidney diseases")),
    Network("ERN-BOND", _("Rare bone disorders")),
    Network(
        "ERN-CRANIO",
        _("Craniofacial anomalies and ear, nose and throat disorders"),
    ),
    Network("ERN-EYE", _("Rare eye diseases")),
    Network("ERN-GENTURIS", _("Genetic tumour risk syndromes")),
    Network("ERN-LUNG", _("Rare respiratory diseases")),
    Network("ERN-RND", _("Rare neurological diseases")),
    Network("ERN-Skin", _("Rare and undiagnosed skin disorders")),
    Network("EURACAN", _("Rare adult solid cancers")),
    Network("EuroBloodNet", _("Rare haematological diseases")),
    Network("eUROGEN", _("Rare urogenital diseases and complex conditions")),
    Network("EURO-NMD", _("Rare neuromuscular diseases")),
    Network("GUARD-HEART", _("Rare and complex diseases of the heart")),
    Network("ITHACA", _("Congenital malformations and rare intellectual disability")),
    Network("MetabERN", _("Hereditary metabolic disorders")),
    Network("PaedCan", _("Paediatric cancer (haemato-oncology)")),
    Network("RARE-LIVER", _("Rare hepatological diseases")),
    Network("ReCONNET", _("Rare connective tissue and musculoskeletal diseases")),
    Network(
        "RITA",
        _("Rare immunodeficiency, autoinflammatory and autoimmune diseases"),
    ),
    Network("TransplantChild", _("Transplantation in children")),
    Network("VASCERN", _("Rare multisystemic vascular diseases")),
    Network(
        "ERNICA",
        _("Rare inherited and congenital digestive and gastrointestinal anomalies"),
    ),
)

NETWORKS_BY_CODE = {network.code: network for network in NETWORKS}


@provider(IVocabularyFactory)
def networks_vocabulary(context):
    """All European Reference Networks; the token and value are the code."""
    return SimpleVocabulary(
        [
            SimpleTerm(value=network.code, token=network.code, title=network.code)
            for network in sorted(NETWORKS, key=lambda n: n.code.lower())
        ]
    )
