import pytest

pytestmark = pytest.mark.django_db


def nav(client) -> str:
    html = client.get("/about/").text
    return html[html.index('aria-label="Main"') : html.index("</nav>")]


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("anonymous", ["Sign in", "Sign up", "Find a group"], ["My meetings", "Admin"]),
        ("stranger", ["My meetings", "My groups", "Sign out"], ["Programmes", "Admin"]),
        ("member", ["My meetings", "My groups"], ["Programmes", "Admin"]),
        ("leader", ["My meetings", "My groups"], ["Programmes", "Admin"]),
        ("programme_admin", ["Programmes"], ["Admin"]),
        ("staff", ["Admin", "Programmes"], []),  # staff create programmes in the site
    ],
)
def test_navigation_fits_the_persons_roles(client_for, programme, persona, shown, hidden):
    html = nav(client_for(persona))

    for label in shown:
        assert f">{label}<" in html, label
    for label in hidden:
        assert f">{label}<" not in html, label


def test_navigation_costs_one_query(client_for, django_assert_max_num_queries, programme):
    from groups.context_processors import _roles

    client = client_for("programme_admin")
    user = programme.admins.get()
    with django_assert_max_num_queries(1):
        roles = _roles(user)
    assert roles == {
        "leads": False,
        "belongs": False,
        "administers": True,
        "has_authenticator": True,  # for the two-factor rule (groups/mfa.py)
    }
    assert ">Programmes<" in nav(client)
