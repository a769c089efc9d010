"""The containers of ``spin-redis`` (the master) and ``spin-redis-replica`` (its read replicas).

Everything redis-server needs is on its command line, not in a config file, so
the manifest alone says what runs and the tests can start exactly that command
on 127.0.0.1.  Persistence is off (``--save ""``, ``--appendonly no``) and a
replica loads the master's snapshot straight into memory
(``--repl-diskless-load on-empty-db``): no volume needed.  That makes the master's
data -- clouddriver's caches, but also orca's queue and running pipelines, gate's
sessions, fiat's and igor's state -- live only as long as its pod: nothing here
may depend on the Spinnaker version, and the deploy refuses to restart it unless
asked (``deploy/prepare.py``).  Production should use an external Redis.
"""

from __future__ import annotations

from typing import Any

from pyhalyard import catalog
from pyhalyard.plan import Plan, ServicePlan

MASTER = "redis"
REPLICA = "redis-replica"
PORT_NAME = "redis"
# Seconds; the master only has to answer PING, a replica has to have synced.
READINESS = {"initialDelaySeconds": 2, "periodSeconds": 5, "timeoutSeconds": 3,
             "failureThreshold": 3}


def image(service_plan: ServicePlan) -> str:
    artifact = service_plan.settings.get("artifactId")
    if isinstance(artifact, str) and artifact.strip():
        return artifact.strip()
    return catalog.REDIS_IMAGE


def master_address(plan: Plan) -> tuple[str, int]:
    """Where replicas find the master: spin-redis's in-cluster host and port."""
    master = plan.services[MASTER]
    return master.address, master.port


def server_args(plan: Plan, service_plan: ServicePlan) -> list[str]:
    """redis-server flags; protected mode off because the Service is the only way in
    and there is no password (the pods are reachable only inside the namespace's network)."""
    args = ["--port", str(service_plan.port), "--protected-mode", "no",
            "--save", "", "--appendonly", "no"]
    if service_plan.name == REPLICA:
        host, port = master_address(plan)
        args += ["--replicaof", host, str(port), "--replica-read-only", "yes",
                 "--repl-diskless-load", "on-empty-db"]
    return args


def readiness_probe(service_plan: ServicePlan) -> dict[str, Any]:
    """Master: answers PING.  Replica: its link to the master is up, so clouddriver-ro
    never reads an empty, not yet synced copy.

    Exec probes need redis-cli and a shell, which the default image has; for an
    image chosen with ``artifactId`` only an open port can be relied on.
    """
    port = str(service_plan.port)
    handler: dict[str, Any]
    if image(service_plan) != catalog.REDIS_IMAGE:
        handler = {"tcpSocket": {"port": service_plan.port}}
    elif service_plan.name == REPLICA:
        handler = {"exec": {"command": [
            "sh", "-c",
            f"redis-cli -p {port} info replication | grep -q '^master_link_status:up'"]}}
    else:
        # redis-cli exits 0 even on an error reply (e.g. LOADING): look for the PONG.
        handler = {"exec": {"command": [
            "sh", "-c", f"redis-cli -p {port} ping | grep -q PONG"]}}
    return {**handler, **READINESS}


def redis_container(plan: Plan, service_plan: ServicePlan) -> dict[str, Any]:
    """The main container of ``spin-redis`` or ``spin-redis-replica``."""
    if service_plan.name not in (MASTER, REPLICA):
        raise ValueError(f"redis_container: '{service_plan.name}' is not a Redis service")
    return {
        "name": service_plan.name,
        "image": image(service_plan),
        "command": ["redis-server"],
        "args": server_args(plan, service_plan),
        "ports": [{"name": PORT_NAME, "containerPort": service_plan.port,
                   "protocol": "TCP"}],
        "readinessProbe": readiness_probe(service_plan),
    }
