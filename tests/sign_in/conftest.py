"""A real OpenID Connect provider on loopback (panva's oidc-provider, OpenID Certified, from npm;
tests/sign_in/provider.mjs), and the site configured for it the way production is: from
OIDC_PROVIDERS in the environment."""

import json
import os
import runpy
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = PROJECT_ROOT / "balint" / "settings.py"
SETTINGS_FROM_ENVIRONMENT = ["SOCIALACCOUNT_PROVIDERS", "SECURE_CSP"]
PROVIDER_SCRIPT = Path(__file__).resolve().with_name("provider.mjs")
PROVIDER_PACKAGE = PROJECT_ROOT / "node_modules" / "oidc-provider" / "package.json"

# The provider's clients: the site's providers in `nhsmail` below, by their id in OIDC_PROVIDERS.
CLIENT_IDS = {"nhsmail": "balint-test", "trust": "balint-test-mfa"}
CLIENT_SECRET = "test-secret"


@dataclass
class Provider:
    url: str
    accounts_file: Path

    def person(self, sub: str, **claims) -> None:
        """Tell the provider who `sub` is: the claims it will assert when they sign in (and in
        `amr`, how they signed in)."""
        accounts = json.loads(self.accounts_file.read_text()) if self.accounts_file.exists() else {}
        accounts[sub] = claims
        written = self.accounts_file.with_suffix(".tmp")
        written.write_text(json.dumps(accounts))
        written.replace(self.accounts_file)


def wait_for_discovery(process: subprocess.Popen, ready: Path, log: Path) -> str:
    """The provider's issuer, once its discovery document answers."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test provider stopped:\n{log.read_text()}")
        if ready.exists():
            issuer = ready.read_text()
            try:
                response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            except requests.ConnectionError:
                pass
            else:
                if response.ok and response.json()["issuer"] == issuer:
                    return issuer
        time.sleep(0.05)
    raise TimeoutError(f"the test provider did not answer in 20 s:\n{log.read_text()}")


@pytest.fixture
def oidc_provider(live_server, tmp_path):
    """The provider on a free loopback port, with one client per site provider in
    CLIENT_IDS (redirecting to the live server) and nobody to sign in until `person()`."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the sign-in tests: apt-get install nodejs npm"
    assert PROVIDER_PACKAGE.exists(), "oidc-provider is not installed: run npm ci"
    clients = [
        {
            "client_id": client_id,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{live_server.url}/accounts/oidc/{site_id}/login/callback/"],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            # allauth sends the secret in the token request's form unless told otherwise.
            "token_endpoint_auth_method": "client_secret_post",
        }
        for site_id, client_id in CLIENT_IDS.items()
    ]
    accounts, ready, log = (
        tmp_path / "accounts.json",
        tmp_path / "issuer",
        tmp_path / "provider.log",
    )
    environment = {
        **os.environ,
        "OIDC_TEST_CLIENTS": json.dumps(clients),
        "OIDC_TEST_ACCOUNTS": str(accounts),
        "OIDC_TEST_READY": str(ready),
        "NODE_ENV": "test",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT)],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Provider(url=wait_for_discovery(process, ready, log), accounts_file=accounts)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
                "client_id": CLIENT_IDS["nhsmail"],
                "secret": CLIENT_SECRET,
            },
            {
                "id": "trust",
                "name": "Trust SSO",
                "issuer": oidc_provider.url,
                "client_id": CLIENT_IDS["trust"],
                "secret": CLIENT_SECRET,
                "trust_mfa": True,
            },
        ]
    )
    return oidc_provider
