"""docs/integration.md's worked example, run as it is written against the
test site: the guide cannot rot."""

from pathlib import Path

import re
import transaction


GUIDE = Path(__file__).resolve().parent.parent / "docs" / "integration.md"


def example_code():
    (code,) = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    return code


def test_the_worked_example_runs(functional_portal, capsys, logins):
    transaction.commit()
    code = example_code()
    assert 'BASE = "http://localhost:8080/cpms"' in code
    namespace = {"__name__": "guide"}
    exec(compile(code, str(GUIDE), "exec"), namespace)
    namespace["BASE"] = functional_portal.absolute_url()
    assert set(namespace["KEYS"]) == {"dr.dekker", "dr.martin"}
    namespace["KEYS"] = {userid: logins.key(userid) for userid in namespace["KEYS"]}
    result = namespace["run"]()
    assert result["pseudonym"].startswith("ERN-")
    assert result["pdf"] > 1000
    printed = capsys.readouterr().out
    assert "closing too early: A panel cannot be closed" in printed
    transaction.begin()
    catalog = functional_portal.portal_catalog
    (panel,) = catalog.unrestrictedSearchResults(
        portal_type="Panel",
        path=result["panel"][len("http://") :].split("/", 1)[1]
        and "/" + result["panel"].split("/", 3)[3],
    )
    assert panel.review_state == "closed"
