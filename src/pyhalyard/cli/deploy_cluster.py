"""``hal deploy apply|diff|rollback|clean|connect``: the commands that reach a cluster.

Thin: each parses flags, loads what it needs and calls into ``pyhalyard.deploy``.
The Kubernetes client (lightkube) is imported only inside these commands, by
``deploy.kube``; config edits never pay for it.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pyhalyard import catalog
from pyhalyard.cli.context import AppContext, common_options, get_app, is_tty
from pyhalyard.errors import HalError, UsageError

if TYPE_CHECKING:
    from pyhalyard.deploy.apply import Options, Report
    from pyhalyard.deploy.kube import Credentials
    from pyhalyard.halconfig.paths import DeploymentPaths
    from pyhalyard.pipeline import Loaded
    from pyhalyard.plan import Plan
    from pyhalyard.render.bundle import Bundle

DEFAULT_TIMEOUT_MINUTES = 10.0
DEFAULT_PARALLEL = 8
CONNECT_DEFAULT = ("deck", "gate")


# ------------------------------------------------------------------ shared steps
def _names(values: Iterable[str]) -> list[str]:
    """Service names from repeated and/or comma-separated option values."""
    return [n.strip() for value in values for n in value.split(",") if n.strip()]


def _canonical(names: Iterable[str], option: str) -> set[str]:
    """Canonical names; a split base (clouddriver, echo) also means its roles."""
    out: set[str] = set()
    for name in names:
        try:
            canonical = catalog.canonical_name(name)
        except catalog.UnknownServiceError as exc:
            raise UsageError(f"{option}: {exc}") from None
        out.add(canonical)
        out.update(catalog.SPLITS.get(canonical, ()))
    return out


def selection(service_names: tuple[str, ...],
              exclude: tuple[str, ...]) -> frozenset[str] | None:
    """The services an apply may touch (None: all)."""
    chosen = _canonical(_names(service_names), "--service-names") if _names(
        service_names) else None
    excluded = _canonical(_names(exclude), "--exclude-service-names")
    if chosen is None and not excluded:
        return None
    base = chosen if chosen is not None else set(catalog.BY_NAME)
    return frozenset(base - excluded)


def _load(app: AppContext) -> Loaded:
    from pyhalyard import pipeline

    return pipeline.load(app.paths, app.deployment)


def _validated(app: AppContext, loaded: Loaded, verb: str) -> None:
    from pyhalyard.validate import Severity, validate

    problems = validate(loaded)
    failing = [p for p in problems if p.severity is Severity.ERROR]
    for problem in problems:
        if problem.severity is Severity.WARNING:
            app.warn(str(problem))
    if failing and not app.no_validate:
        raise HalError(f"refusing to {verb}: the configuration has errors "
                       "(--no-validate to go ahead anyway)\n" + "\n".join(map(str, failing)))
    if failing:
        for problem in failing:
            app.warn(str(problem))


def _require_distributed(loaded: Loaded) -> None:
    from pyhalyard.halconfig.model import DISTRIBUTED

    env = loaded.deployment.environment
    if env.type != DISTRIBUTED:
        raise HalError(f"deploymentConfigurations[{loaded.deployment.index}]."
                       f"deploymentEnvironment.type is '{env.type}'; pyhalyard deploys only "
                       "Distributed (Kubernetes) deployments: hal config deploy edit "
                       "--type Distributed --account-name ACCOUNT")


def _where(bundle: Bundle) -> str:
    from pyhalyard.deploy.apply import namespaces_of

    names = namespaces_of(bundle)
    return (f"namespace {names[0]}" if len(names) == 1
            else f"namespaces {', '.join(names)}")


def _render(plan: Plan, app: AppContext, bom: Path | None = None) -> Bundle:
    from pyhalyard.render.build import build_bundle

    return build_bundle(plan, app.paths, bom=bom)


_bom_option = click.option(
    "--bom", metavar="FILE", type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="BOM file (Halyard's layout) giving each service's image tag; its version must be "
         "the configured one.")


def _redis_preflight(app: AppContext, plan: Plan) -> None:
    """Non-blocking: warn when the configured Redis endpoints contradict the config."""
    from pyhalyard.redis.check import CONTRADICTION, UNKNOWN, check_endpoints

    cd = plan.deployment.environment.clouddriver_ha
    if not plan.clouddriver_ha or plan.redis_source != "external":
        return
    replicas = {"redisSlaveEndpoint": cd.redis_slave_endpoint}
    if plan.ro_deck and cd.redis_slave_deck_endpoint:
        replicas["redisSlaveDeckEndpoint"] = cd.redis_slave_deck_endpoint
    try:
        report = check_endpoints(cd.redis_master_endpoint,
                                 {k: v for k, v in replicas.items() if v}, timeout=1.0)
    except HalError as exc:
        app.warn(f"warning: Redis preflight skipped: {exc}")
        return
    for endpoint in report.endpoints:
        if endpoint.verdict == CONTRADICTION:
            for finding in endpoint.findings:
                if finding.verdict == CONTRADICTION:
                    app.warn(f"warning: Redis {endpoint.name} {endpoint.url}: {finding.message}")
        elif endpoint.verdict == UNKNOWN and not endpoint.reachable:
            app.warn(f"warning: Redis {endpoint.name} {endpoint.url} not checked: "
                     f"{endpoint.findings[0].message}")


def _credentials(loaded: Loaded, *, check: bool = False) -> Credentials:
    from pyhalyard.deploy.kube import check_credentials, credentials

    creds = credentials(loaded.deployment, loaded.paths.root)
    if check:
        check_credentials(creds)
    return creds


def _protected(bundle: Bundle) -> frozenset[str]:
    return frozenset(name for name, sb in bundle.services.items() if not sb.objects)


def _run(app: AppContext, creds: Credentials, bundle: Bundle, options: Options) -> Report:
    from pyhalyard.deploy.apply import DeployFailed, deploy
    from pyhalyard.deploy.kube import Kube
    from pyhalyard.deploy.progress import make_progress

    stream = sys.stderr if app.output else sys.stdout
    progress = make_progress(quiet=app.quiet, tty=is_tty() and not app.output, stream=stream,
                             color=app.color)
    with Kube.connect(creds) as kube:
        try:
            report = deploy(kube, bundle, options, progress)
        finally:
            progress.close()
    if not report.ok:
        raise DeployFailed(report)
    return report


def _record(dep_paths: DeploymentPaths, bundle: Bundle, report: Report,
            selected: frozenset[str] | None) -> int:
    from pyhalyard.deploy import history
    from pyhalyard.deploy.phases import DELETE

    previous = history.latest(dep_paths)
    removed = {o.service for o in report.outcomes if o.action == DELETE and o.ok}
    return history.record(dep_paths, history.merged(
        previous[1] if previous else None, bundle, selected, removed))


def _finish(app: AppContext, report: Report, number: int, what: str) -> None:
    data = {**report.as_dict(), "history": number}

    def human() -> None:
        applied = sum(1 for o in report.outcomes if o.action == "apply")
        removed = sum(1 for o in report.outcomes if o.action == "delete")
        line = (f"+ {what}: {applied} service{'s' if applied != 1 else ''} ready"
                + (f", {removed} removed" if removed else "")
                + f" in {report.seconds:.1f}s (history #{number})")
        app.info(line)
        if report.taken_over:
            app.info(f"  took over {len(report.taken_over)} object"
                     f"{'s' if len(report.taken_over) != 1 else ''} from Halyard's kubectl "
                     "(client-side apply)")
        for name, why in sorted(report.skipped.items()):
            app.info(f"  spin-{name}: left alone ({why})")
        if report.collected:
            app.info(f"  removed {len(report.collected)} unused config Secret"
                     f"{'s' if len(report.collected) != 1 else ''}: "
                     + ", ".join(report.collected))

    app.emit(data, human)


def _options(timeout_minutes: float, parallel: int, poll: float, prune: bool,
             selected: frozenset[str] | None, protected: frozenset[str],
             dep_paths: DeploymentPaths, **safety: Any) -> Options:
    from pyhalyard.deploy import history
    from pyhalyard.deploy.apply import Options

    return Options(timeout=timeout_minutes * 60.0, concurrency=parallel, max_poll=poll,
                   prune=prune, selected=selected, protected=protected,
                   earlier_namespaces=frozenset(history.namespaces_used(dep_paths)), **safety)


def _safety_options(func: Any) -> Any:
    options = [
        click.option("--force-conflicts", is_flag=True,
                     help="Overwrite fields another manager owns (kubectl edit, other tools) "
                          "with the rendered values instead of stopping."),
        click.option("--restart-redis", is_flag=True,
                     help="Allow a change that restarts the in-cluster Redis (it loses its "
                          "data), or replace a Redis Halyard deployed."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _dry_run_report(app: AppContext, report: Report) -> None:
    """Per object what the server said; exit 1 when it would refuse anything."""
    from pyhalyard.deploy.preview import summary

    refused = [v for v in report.verdicts if v.refused]

    def human() -> None:
        for verdict in report.verdicts:
            click.echo(verdict.line())
        for item in report.deletions:
            click.echo(f"{item}: delete")
        for name, why in sorted(report.skipped.items()):
            click.echo(f"spin-{name}: left alone ({why})")
        tail = summary(report.verdicts) or "nothing to apply"
        if report.deletions:
            tail += f", {len(report.deletions)} to delete"
        click.echo(f"Dry run (server-side, nothing changed): {tail}.")

    app.emit({**report.as_dict(), "dryRun": True}, human)
    if refused:
        raise HalError(f"the API server would refuse {len(refused)} object"
                       f"{'s' if len(refused) != 1 else ''} (listed above)")


def _wait_options(func: Any) -> Any:
    options = [
        click.option("--wait-for-completion-timeout-minutes", "timeout_minutes",
                     type=click.FloatRange(min=0, min_open=True),
                     default=DEFAULT_TIMEOUT_MINUTES, show_default=True,
                     help="How long each service may take to become ready."),
        click.option("--max-parallel", type=click.IntRange(1, 64), default=DEFAULT_PARALLEL,
                     show_default=True,
                     help="API requests in flight at once (every rollout is awaited at once)."),
        click.option("--delete-orphaned-services", is_flag=True,
                     help="Also delete services the config no longer enables."),
        click.option("--poll-interval", type=click.FloatRange(min=0.001), default=2.0,
                     hidden=True, help="Longest pause between two status reads (seconds)."),
        click.option("--wait-for-completion", is_flag=True, hidden=True,
                     help="Accepted for Halyard compatibility; pyhalyard always waits."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


# ------------------------------------------------------------------ apply
@click.command()
@click.option("--service-names", multiple=True, metavar="NAMES",
              help="Only these services (comma-separated or repeated; clouddriver/echo "
                   "include their HA roles).")
@click.option("--exclude-service-names", multiple=True, metavar="NAMES",
              help="Every service but these.")
@click.option("--no-live-checks", is_flag=True,
              help="Skip the Redis endpoint check before deploying.")
@click.option("--dry-run", is_flag=True,
              help="Send every write with dryRun=All: print per object what the server would "
                   "create, change or reject; change nothing.")
@_bom_option
@_safety_options
@_wait_options
@common_options
def apply(service_names: tuple[str, ...], exclude_service_names: tuple[str, ...],
          no_live_checks: bool, bom: Path | None, dry_run: bool, force_conflicts: bool,
          restart_redis: bool, timeout_minutes: float, max_parallel: int,
          delete_orphaned_services: bool, poll_interval: float,
          wait_for_completion: bool) -> None:
    """Deploy to the cluster: safe order, wait until ready, record history.

    Namespace and Redis first, then every service in parallel.  Switching HA on
    or off brings the new services up before callers are re-pointed, and removes
    the old ones only after that; echo's scheduler never runs twice.  A failure
    stops the deploy with a report and exit code 1; what was running keeps running.

    Objects Halyard created are taken over (their client-side-apply fields become
    pyhalyard's); a field someone else owns stops the deploy before any change
    unless --force-conflicts; the in-cluster Redis is never restarted unless
    --restart-redis.
    """
    from pyhalyard import pipeline

    app = get_app()
    selected = selection(service_names, exclude_service_names)
    loaded = _load(app)
    _validated(app, loaded, "deploy")
    _require_distributed(loaded)
    creds = _credentials(loaded, check=True)
    plan = pipeline.plan(loaded)
    bundle = _render(plan, app, bom)
    if not no_live_checks:
        _redis_preflight(app, plan)
    options = _options(timeout_minutes, max_parallel, poll_interval, delete_orphaned_services,
                       selected, _protected(bundle),
                       app.paths.deployment(loaded.deployment.name),
                       force_conflicts=force_conflicts,
                       restart_redis=restart_redis, dry_run=dry_run, account=creds.account)
    report = _run(app, creds, bundle, options)
    if dry_run:
        _dry_run_report(app, report)
        return
    number = _record(app.paths.deployment(loaded.deployment.name), bundle, report, selected)
    _finish(app, report, number, f"Deployed Spinnaker {bundle.version} to {_where(bundle)}")


# ------------------------------------------------------------------ rollback
@click.command()
@click.option("--to", "to", type=click.IntRange(min=1), metavar="N",
              help="History entry to restore (default: the one before the last).")
@_bom_option
@_safety_options
@_wait_options
@common_options
def rollback(to: int | None, bom: Path | None, force_conflicts: bool, restart_redis: bool,
             timeout_minutes: float, max_parallel: int,
             delete_orphaned_services: bool, poll_interval: float,
             wait_for_completion: bool) -> None:
    """Re-apply an earlier recorded bundle (same safe order as apply).

    With --bom FILE, the restored services run the images FILE gives (for the
    configured imageVariant; artifactId pins still win) instead of the recorded ones.
    """
    from pyhalyard.deploy import history

    app = get_app()
    loaded = _load(app)
    dep_paths = app.paths.deployment(loaded.deployment.name)
    recorded = history.numbers(dep_paths)
    if to is None:
        if len(recorded) < 2:
            raise HalError(f"nothing to roll back to: {len(recorded)} applied bundle"
                           f"{'s' if len(recorded) != 1 else ''} recorded in {dep_paths.history}")
        to = recorded[-2]
    bundle = history.load(dep_paths, to)
    if bom is not None:
        from pyhalyard import pipeline
        from pyhalyard.render.retag import retag

        bundle = retag(bundle, pipeline.plan(loaded), app.paths, bom)
    creds = _credentials(loaded)
    options = _options(timeout_minutes, max_parallel, poll_interval, delete_orphaned_services,
                       None, _protected(bundle), dep_paths, force_conflicts=force_conflicts,
                       restart_redis=restart_redis, account=creds.account)
    report = _run(app, creds, bundle, options)
    number = _record(dep_paths, bundle, report, None)
    _finish(app, report, number, f"Rolled back to #{to} (Spinnaker {bundle.version})")


# ------------------------------------------------------------------ diff
@click.command()
@click.option("--live", is_flag=True,
              help="Compare with the objects in the cluster instead of the last applied bundle.")
@_bom_option
@common_options
def diff(live: bool, bom: Path | None) -> None:
    """Show what apply would change; Secret values are never shown, only changed keys."""
    from pyhalyard import pipeline
    from pyhalyard.deploy import diff as differ
    from pyhalyard.deploy import history

    app = get_app()
    loaded = _load(app)
    plan = pipeline.plan(loaded)
    bundle = _render(plan, app, bom)
    if live:
        changes = _live_changes(app, loaded, bundle)
        against = f"the cluster ({_where(bundle)})"
    else:
        previous = history.latest(app.paths.deployment(loaded.deployment.name))
        changes = differ.diff_bundles(previous[1] if previous else None, bundle)
        against = (f"the last applied bundle (#{previous[0]})" if previous
                   else "nothing (no bundle applied yet)")
    data: dict[str, Any] = {"against": against, "changes": [
        {"action": c.action, "kind": c.kind, "name": c.name, "note": c.note,
         "lines": list(c.lines)} for c in changes]}
    from pyhalyard.deploy.halyard_record import takeover_report

    takeover = takeover_report(app.paths.deployment(loaded.deployment.name), bundle)
    if takeover is not None:
        data["halyardImages"] = takeover.as_dict()
    app.emit(data, lambda: click.echo((f"{takeover.text()}\n\n" if takeover else "")
                                      + differ.render(changes, against)))


def _live_changes(app: AppContext, loaded: Loaded, bundle: Bundle) -> list[Any]:
    from pyhalyard.deploy import diff as differ
    from pyhalyard.deploy.apply import SPIN, namespaces_of
    from pyhalyard.deploy.kube import SERVICE_KINDS, Kube

    live: dict[tuple[str, str], dict[str, Any] | None] = {}
    extra: list[dict[str, Any]] = []
    with Kube.connect(_credentials(loaded)) as kube:
        for obj in bundle.objects():
            kind, name = str(obj["kind"]), str(obj["metadata"]["name"])
            namespace = obj["metadata"].get("namespace")
            live[(kind, name)] = kube.get(kind, name, namespace)
        for namespace in namespaces_of(bundle):
            for kind in SERVICE_KINDS:
                for found in kube.list(kind, namespace, SPIN):
                    found.setdefault("kind", kind)
                    extra.append(found)
    return differ.diff_live(bundle, live, extra)


# ------------------------------------------------------------------ clean
@click.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@common_options
def clean(yes: bool) -> None:
    """Delete every object labelled app=spin in the deployment's namespaces.

    Those are the deployment's namespace, those service-settings ``location`` names,
    and those earlier applies used.  Services with skipLifeCycleManagement are left
    alone; the namespaces and the history stay (rollback can bring everything back).
    """
    from pyhalyard import pipeline
    from pyhalyard.deploy import history
    from pyhalyard.deploy.apply import delete_all
    from pyhalyard.deploy.kube import Kube
    from pyhalyard.render.pod_details import other_namespaces

    app = get_app()
    loaded = _load(app)
    plan = pipeline.plan(loaded)
    namespaces = sorted({plan.namespace, *other_namespaces(plan),
                         *history.namespaces_used(app.paths.deployment(loaded.deployment.name))})
    namespace = ", ".join(namespaces)
    creds = _credentials(loaded)
    skip = sorted(sp.name for sp in plan.enabled() if sp.service.deployable and not sp.managed)
    if not yes:
        where = f"context '{creds.context}'" if creds.context else f"account '{creds.account}'"
        click.confirm(f"Delete every Spinnaker object (label app=spin) in namespace"
                      f"{'s' if len(namespaces) > 1 else ''} '{namespace}' of {where}?",
                      abort=True, err=True)
    removed: list[str] = []
    with Kube.connect(creds) as kube:
        for one in namespaces:
            removed += [f"{item} in {one}" if one != plan.namespace else item
                        for item in delete_all(kube, one, skip)]

    def human() -> None:
        for item in removed:
            app.info(f"- {item}")
        app.info(f"+ Removed {len(removed)} object{'s' if len(removed) != 1 else ''} from "
                 f"namespace{'s' if len(namespaces) > 1 else ''} {namespace}"
                 + (f" (kept, managed elsewhere: {', '.join(skip)})" if skip else ""))

    app.emit({"namespace": plan.namespace, "namespaces": namespaces, "removed": removed,
              "kept": skip}, human)


# ------------------------------------------------------------------ connect
def local_ports(ports: list[int]) -> list[int]:
    """A distinct local port per forward: the service's own port where it is free.

    The clouddriver roles all listen on 7002; forwarding two of them to the same local
    port would make every kubectl after the first fail with "address already in use".
    """
    taken = set(ports)
    chosen: list[int] = []
    for port in ports:
        local = port
        if local in chosen:
            local = port + 1
            while local in taken:
                local += 1
        taken.add(local)
        chosen.append(local)
    return chosen


def port_forward_commands(plan: Plan, creds: Credentials,
                          services: Iterable[str]) -> list[list[str]]:
    """``kubectl port-forward`` for each service, on its own port, with the account's creds."""
    from pyhalyard.render.pod_details import namespace_of

    plans = [plan.services[name] for name in services]
    commands = []
    for sp, local in zip(plans, local_ports([sp.port for sp in plans]), strict=True):
        commands.append(["kubectl", *creds.kubectl_args(), "--namespace", namespace_of(plan, sp),
                         "port-forward", f"service/{sp.k8s_name}", f"{local}:{sp.port}"])
    return commands


def _connect_targets(plan: Plan, names: list[str]) -> list[str]:
    if not names:
        return list(CONNECT_DEFAULT)
    targets: list[str] = []
    for name in names:
        try:
            canonical = catalog.canonical_name(name)
        except catalog.UnknownServiceError as exc:
            raise UsageError(f"--service-names: {exc}") from None
        members = [canonical] if plan.services[canonical].enabled else [
            r for r in catalog.SPLITS.get(canonical, ()) if plan.services[r].enabled]
        if not members:
            raise UsageError(f"--service-names: {canonical} is not enabled in this deployment")
        targets.extend(m for m in members if m not in targets)
    return targets


@click.command()
@click.option("--service-names", multiple=True, metavar="NAMES",
              help="Services to forward (default: deck and gate).")
@click.option("--run", "run_", is_flag=True,
              help="Run the port-forwards (until Ctrl-C) instead of printing them.")
@common_options
def connect(service_names: tuple[str, ...], run_: bool) -> None:
    """Print (or --run) kubectl port-forward commands for deck and gate."""
    from pyhalyard import pipeline

    app = get_app()
    loaded = _load(app)
    plan = pipeline.plan(loaded)
    creds = _credentials(loaded)
    targets = _connect_targets(plan, _names(service_names))
    commands = port_forward_commands(plan, creds, targets)
    if not run_:
        app.emit([{"service": t, "command": c} for t, c in zip(targets, commands, strict=True)],
                 lambda: click.echo("\n".join(shlex.join(c) for c in commands)))
        return
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise HalError("kubectl is not on PATH; install it, or run the printed commands "
                       "(hal deploy connect without --run) elsewhere")
    _run_forwards(app, [[kubectl, *c[1:]] for c in commands])


def _run_forwards(app: AppContext, commands: list[list[str]]) -> None:
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for command in commands:
            app.info(f"+ {shlex.join(['kubectl', *command[1:]])}")
            processes.append(subprocess.Popen(command))
        codes = [p.wait() for p in processes]
    except KeyboardInterrupt:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
        raise
    failed = [c for c in codes if c != 0]
    if failed:
        raise HalError(f"{len(failed)} port-forward{'s' if len(failed) != 1 else ''} "
                       f"ended with an error (exit {failed[0]})")
