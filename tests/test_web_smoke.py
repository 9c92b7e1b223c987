"""The site in a real browser: the login form and the first pages."""

from web import screenshot


def test_doctor_logs_in_and_reaches_the_centre(web):
    page = web.window("dr.dekker")
    page.goto(f"{web.url}/centres/erasmus-mc")
    assert "Erasmus MC" in page.title()
    screenshot(page, "centre")
