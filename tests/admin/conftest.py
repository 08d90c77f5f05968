"""Helpers for the admin tests. `admin_client` (pytest-django) is signed in as a superuser with
an authenticator app (tests/conftest.py), so the two-factor rule lets it into the admin."""

from typing import Any


def change_form_data(response, **changes: Any) -> dict[str, Any]:
    """What the admin page's form would post back unchanged, with `changes` on top. Inlines
    post no rows (the read-only inlines ignore what is posted anyway)."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for field in form:
        value = field.value()
        if value is not None:
            data[field.html_name] = value
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update({name: str(value) for name, value in changes.items()})
    return data


def assert_refused(client, url: str, data: dict | None = None) -> None:
    """The admin shows the row but refuses to change, add or delete it."""
    change = client.get(url)
    assert change.status_code == 200
    assert 'name="_save"' not in change.text
    assert client.post(url, data or {}).status_code == 403
    assert client.post(url.replace("/change/", "/delete/"), {"post": "yes"}).status_code == 403
    add = url.rsplit("/", 3)[0] + "/add/"
    assert client.get(add).status_code == 403
