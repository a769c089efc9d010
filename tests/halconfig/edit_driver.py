"""One process of the concurrency test: ``python edit_driver.py HAL_DIR N GO_FILE``.

Waits until GO_FILE exists (so all processes start their edit together), then
sets ``customSizing.svc-N.replicas = N`` through ``store.edit`` — the same
transaction every ``hal config`` command uses.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pyhalyard.halconfig import store
from pyhalyard.halconfig.document import PathKey
from pyhalyard.halconfig.paths import HalPaths


def main() -> None:
    root, number, go = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    deadline = time.monotonic() + 30
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.001)

    def change(config: store.HalConfig) -> None:
        path: list[PathKey] = [store.DEPLOYMENTS_KEY, 0, "deploymentEnvironment", "customSizing",
                f"svc-{number}", "replicas"]
        config.doc.set(path, number)

    store.edit(HalPaths(root), change)


if __name__ == "__main__":
    main()
