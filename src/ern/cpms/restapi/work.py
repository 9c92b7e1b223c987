"""``GET @my-work``: what waits for the logged-in user."""

from ern.cpms.work import my_work
from plone.restapi.services import Service


class MyWork(Service):
    def reply(self):
        return my_work()
