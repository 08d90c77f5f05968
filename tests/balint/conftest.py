import copy

import pytest


@pytest.fixture(autouse=True)
def _test_templates(settings):
    """Add tests/templates (the `hello` email). Assigning TEMPLATES anew, rather than changing
    it in place, makes Django rebuild its template engines."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], "tests/templates"]
    settings.TEMPLATES = templates
