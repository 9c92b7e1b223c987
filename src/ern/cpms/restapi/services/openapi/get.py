"""``GET @openapi``: restapi/openapi.yaml, with this site as its server.

The file is the description (docs/openapi.yaml is a copy the tests keep
equal); tests/test_openapi.py checks the running site against it with
schemathesis."""

from pathlib import Path
from plone import api
from plone.restapi.services import Service

import functools
import yaml


SOURCE = Path(__file__).resolve().parent.parent.parent / "openapi.yaml"


@functools.cache
def description():
    return yaml.safe_load(SOURCE.read_text())


class OpenAPI(Service):
    def reply(self):
        return {
            **description(),
            "servers": [{"url": api.portal.get().absolute_url()}],
        }
