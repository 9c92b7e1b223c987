"""``GET @my-work``: what waits for the logged-in user."""

from ern.cpms import second_factor
from ern.cpms.work import my_work
from plone.restapi.services import Service


class MyWork(Service):
    def reply(self):
        second_factor.require_proof()
        return my_work()
