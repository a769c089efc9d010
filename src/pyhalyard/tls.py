"""What Halyard derived from ``security.apiSecurity.ssl`` / ``uiSecurity.ssl`` for gate and deck.

Gate with TLS gets scheme ``https`` (GateService.Settings(ApiSecurity)), so every URL
of gate -- ``services.gate.baseUrl``, deck's gateUrl, the readiness probe -- says
https.  Deck with TLS gets scheme ``https`` (DeckService.Settings(UiSecurity)) and
the environment its image's Apache start script reads (DeckDockerProfileFactory):
``DECK_HOST``, ``DECK_PORT``, ``API_HOST``, ``DECK_CERT``, ``DECK_KEY``, ``PASSPHRASE``.
These are plan facts: the plan owns every URL the renderers share.
"""

from __future__ import annotations

from typing import Any

from pyhalyard.required_files import Reference

# DeckService.Settings: Apache listens on all interfaces unless settings say otherwise.
DECK_DEFAULT_HOST = "0.0.0.0"
_SSL_BLOCK = {"gate": "apiSecurity", "deck": "uiSecurity"}


def _ssl(raw: dict[str, Any], service: str) -> dict[str, Any]:
    security = raw.get("security")
    public = security.get(_SSL_BLOCK[service]) if isinstance(security, dict) else None
    ssl = public.get("ssl") if isinstance(public, dict) else None
    return ssl if isinstance(ssl, dict) else {}


def ssl_enabled(raw: dict[str, Any], service: str) -> bool:
    return service in _SSL_BLOCK and _ssl(raw, service).get("enabled") is True


def derived_settings(raw: dict[str, Any], service: str) -> dict[str, Any]:
    """Defaults Halyard put in gate's / deck's service settings; the user's file wins.

    Gate requiring client certificates (``clientAuth: NEED``) would fail any HTTP probe,
    kubelet has no certificate to offer (Halyard's wget probe failed the same way), so
    its readiness becomes a TCP check unless the settings say otherwise."""
    if not ssl_enabled(raw, service):
        return {}
    out: dict[str, Any] = {"scheme": "https"}
    if service == "gate" and str(_ssl(raw, service).get("clientAuth") or "").upper() == "NEED":
        out["kubernetes"] = {"useTcpProbe": True}
    return out


def deck_env(raw: dict[str, Any], settings: dict[str, Any], port: int, gate_url: str,
             refs: tuple[Reference, ...]) -> dict[str, str]:
    """Deck's container environment for TLS (empty without ``uiSecurity.ssl.enabled``)."""
    if not ssl_enabled(raw, "deck"):
        return {}
    ssl = _ssl(raw, "deck")
    staged = {ref.field: ref.pod_path for ref in refs}
    env = {"DECK_HOST": str(settings.get("host") or DECK_DEFAULT_HOST),
           "DECK_PORT": str(port),
           "API_HOST": gate_url}
    for var, key in (("DECK_CERT", "sslCertificateFile"), ("DECK_KEY", "sslCertificateKeyFile")):
        value = ssl.get(key)
        if isinstance(value, str) and value:
            env[var] = staged.get(f"security.uiSecurity.ssl.{key}", value)
    passphrase = ssl.get("sslCertificatePassphrase")
    if passphrase is not None:
        env["PASSPHRASE"] = str(passphrase)
    return env
