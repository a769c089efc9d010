"""rosco.yml's image providers as halyard-deploy ``profile/RoscoProfileFactory.java`` wrote
them: every enabled provider with bakery defaults, whole (accounts reach rosco), base images
= the halconfig's, then ``profiles/images-local.yml``'s whose id is new
(``BakeryDefaults.addDefaultImages``)."""

from __future__ import annotations

from typing import Any

import yaml

from tests.helpers import is_staged

from .build import raw_config, render


def image(image_id: str, template: str = "gce.json") -> dict[str, Any]:
    return {"baseImage": {"id": image_id, "shortDescription": image_id,
                          "packageType": "deb", "templateFile": template},
            "virtualizationSettings": {"sourceImage": f"{image_id}-img"}}


def rosco(raw: dict[str, Any], **kw: Any) -> dict[str, Any]:
    _, profiles = render(raw, **kw)
    data: dict[str, Any] = yaml.safe_load(profiles["rosco"]["rosco.yml"])
    return data


def test_google_accounts_and_merged_base_images() -> None:
    raw = raw_config()
    raw["providers"]["google"] = {
        "enabled": True, "primaryAccount": "gce",
        "accounts": [{"name": "gce", "project": "p", "jsonPath": "/creds/gce.json"}],
        "bakeryDefaults": {"zone": "us-central1-f", "network": "default",
                           "baseImages": [image("ubuntu-team")]}}
    local = {"google": {"bakeryDefaults": {"baseImages": [image("ubuntu-team", "other.json"),
                                                          image("debian-12")]}},
             "aws": {"bakeryDefaults": {"baseImages": [image("ami-x")]}}}
    data = rosco(raw, profiles={"images-local.yml": yaml.safe_dump(local)})
    google = data["google"]
    account = google["accounts"][0]
    assert is_staged(account.pop("jsonPath"), "gce.json")  # shipped into rosco's pod
    assert google["accounts"] == [{"name": "gce", "project": "p"}]
    assert google["primaryAccount"] == "gce"
    ids = [(i["baseImage"]["id"], i["baseImage"]["templateFile"])
           for i in google["bakeryDefaults"]["baseImages"]]
    # the halconfig's image keeps its id; images-local adds only new ids
    assert ids == [("ubuntu-team", "gce.json"), ("debian-12", "gce.json")]
    assert google["bakeryDefaults"]["zone"] == "us-central1-f"
    assert "aws" not in data  # aws is not enabled: its local images go nowhere


def test_an_empty_base_image_list_keeps_roscos_packaged_images() -> None:
    raw = raw_config()
    raw["providers"]["aws"] = {"enabled": True, "accounts": [],
                               "bakeryDefaults": {"baseImages": []}}
    data = rosco(raw)
    assert data["aws"]["enabled"] is True
    assert "baseImages" not in data["aws"]["bakeryDefaults"]
