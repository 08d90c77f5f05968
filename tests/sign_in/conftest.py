"""A real OpenID Connect provider on loopback (oidc-provider-mock, on Authlib), and the site
configured for it the way production is: from OIDC_PROVIDERS in the environment."""

import json
import runpy
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "balint" / "settings.py"
SETTINGS_FROM_ENVIRONMENT = ["SOCIALACCOUNT_PROVIDERS", "SECURE_CSP"]


@dataclass
class Provider:
    url: str

    def person(self, sub: str, **claims) -> None:
        """Tell the provider who `sub` is: the claims it will assert when they sign in."""
        response = requests.put(f"{self.url}/users/{quote(sub)}", json=claims, timeout=5)
        assert response.status_code == 204, response.text


@pytest.fixture
def oidc_provider(monkeypatch):
    # Plain HTTP is fine on loopback, where nothing leaves the machine.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(require_nonce=False), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Provider(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture
def configure_providers(monkeypatch, settings):
    """`configure_providers([...])`: set OIDC_PROVIDERS as an operator would, read the settings
    module afresh from the environment, and use what it made."""

    def configure(providers: list[dict]) -> dict:
        monkeypatch.setenv("OIDC_PROVIDERS", json.dumps(providers))
        fresh = runpy.run_path(str(SETTINGS_FILE))
        for name in SETTINGS_FROM_ENVIRONMENT:
            setattr(settings, name, fresh[name])
        return fresh

    return configure


@pytest.fixture
def nhsmail(oidc_provider, configure_providers):
    """The loopback provider configured as "NHSmail" (trusted for nothing but sign-in), and a
    second one that is trusted for two-factor."""
    configure_providers(
        [
            {
                "id": "nhsmail",
                "name": "NHSmail",
                "issuer": oidc_provider.url,
                "client_id": "balint-test",
                "secret": "test-secret",
            },
            {
                "id": "trust",
                "name": "Trust SSO",
                "issuer": oidc_provider.url,
                "client_id": "balint-test-mfa",
                "secret": "test-secret",
                "trust_mfa": True,
            },
        ]
    )
    return oidc_provider
