import pytest


def test_live_answers_ok_without_touching_the_database(client):
    # No django_db mark: pytest-django makes any database access in this test an error.
    response = client.get("/healthz/live")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_live_answers_ok_while_the_broker_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    assert client.get("/healthz/live").status_code == 200


def test_live_refuses_post(client):
    assert client.post("/healthz/live").status_code == 405
