"""ern.cpms: the ERN Clinical Patient Management System for Plone."""

from zope.i18nmessageid import MessageFactory

import logging


PACKAGE_NAME = "ern.cpms"
PROFILE_ID = f"{PACKAGE_NAME}:default"

_ = MessageFactory(PACKAGE_NAME)

logger = logging.getLogger(PACKAGE_NAME)
