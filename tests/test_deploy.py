"""The production layout in deploy/: the image, the docker-compose file, the Helm values and the
Kubernetes code location agree with each other and with the package.

No Docker engine or Kubernetes cluster runs here, so the files are checked by structure: every
service, command, module, file and setting they name exists and matches. The instance config
itself (deploy/dagster.yaml) is exercised on PostgreSQL in tests/defs/test_postgres_instance.py.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from hygiene_pipeline.definitions import BATCH_JOB_NAME

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
SERVICES = {"postgres", "user_code", "webserver", "daemon"}
IMAGE = "hygiene-pipeline:0.1.0"


def load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return load("docker-compose.yaml")


@pytest.fixture(scope="module")
def helm() -> dict:
    return load("helm/values.yaml")


def grpc_module(args: list[str]) -> str:
    """The module a `dagster api grpc` command line serves."""
    flag = next(i for i, arg in enumerate(args) if arg in ("-m", "--module-name"))
    return args[flag + 1]


def test_compose_runs_postgres_code_location_webserver_and_daemon_from_one_image(compose):
    services = compose["services"]

    assert set(services) == SERVICES
    assert services["user_code"]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert {services[name]["image"] for name in SERVICES - {"postgres"}} == {IMAGE}
    assert grpc_module(services["user_code"]["command"]) == "hygiene_pipeline.definitions"
    assert services["webserver"]["command"][0] == "dagster-webserver"
    assert services["daemon"]["command"][:2] == ["dagster-daemon", "run"]
    for name in ("webserver", "daemon"):
        assert services[name]["command"][-2:] == ["-w", "/opt/dagster/workspace.yaml"]
        assert services[name]["depends_on"]["user_code"]["condition"] == "service_healthy"
    assert services["user_code"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert all("healthcheck" in services[name] for name in ("postgres", "user_code"))
    assert services["webserver"]["ports"] == ["3000:3000"]


def test_compose_points_dagster_and_the_warehouse_at_their_postgres_databases(compose):
    services = compose["services"]
    postgres = services["postgres"]["environment"]
    init = services["postgres"]["volumes"][1].split(":")[0]

    for name in SERVICES - {"postgres"}:
        env = services[name]["environment"]
        assert env["DAGSTER_HOME"] == "/opt/dagster/dagster_home"
        assert env["DAGSTER_PG_URL"].startswith("postgresql+psycopg2://hygiene:")
        assert env["DAGSTER_PG_URL"].endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}")
        assert env["HYGIENE_WAREHOUSE_URL"].endswith("@postgres:5432/warehouse")
        assert "${POSTGRES_PASSWORD" in env["HYGIENE_WAREHOUSE_URL"]
    assert "CREATE DATABASE warehouse" in (DEPLOY / init).read_text(encoding="utf-8")
    landing = services["user_code"]["volumes"][0]
    assert landing.endswith(":/data/landing:ro")
    assert services["user_code"]["environment"]["HYGIENE_LANDING_DIR"] == "/data/landing"
    assert set(compose["volumes"]) == {"postgres-data", "dagster-storage"}


def test_the_compose_workspace_loads_the_code_location_from_the_grpc_service(compose):
    workspace = load("workspace.yaml")
    [location] = workspace["load_from"]
    command = compose["services"]["user_code"]["command"]

    assert location["grpc_server"]["host"] == "user_code"
    assert str(location["grpc_server"]["port"]) == command[command.index("-p") + 1]


def test_the_dockerfile_builds_the_wheel_and_ships_the_instance_and_workspace():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    copied = re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.MULTILINE)

    assert all((REPO / source).exists() for source in copied), copied
    assert {"hygiene_pipeline", "expectations", "dbt_like_sql", "pyproject.toml"} <= set(copied)
    assert "pip wheel" in dockerfile and "/wheels/hygiene_pipeline-*.whl" in dockerfile
    assert "COPY deploy/dagster.yaml $DAGSTER_HOME/dagster.yaml" in dockerfile
    assert '"-m", "hygiene_pipeline.definitions"]' in dockerfile
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert {f"!{source.rstrip('/')}" for source in copied} <= {p.rstrip("/") for p in ignored}


def test_helm_serves_the_kubernetes_code_location_whose_steps_run_as_jobs(helm):
    [deployment] = helm["dagster-user-deployments"]["deployments"]
    module = importlib.import_module(grpc_module(deployment["dagsterApiGrpcArgs"]))

    assert module.__name__ == "hygiene_pipeline.k8s_definitions"
    assert module.defs().resolve_job_def(BATCH_JOB_NAME).executor_def.name == "k8s"  # lazy defs
    assert helm["runLauncher"]["type"] == "K8sRunLauncher"
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    assert {"name": "hygiene-pipeline-env"} in deployment["envSecrets"]
    mounts = {m["name"]: m["mountPath"] for m in deployment["volumeMounts"]}
    env = {e["name"]: e["value"] for e in deployment["env"]}
    assert mounts["landing"] == env["HYGIENE_LANDING_DIR"]


def test_helm_sets_the_same_instance_limits_as_deploy_dagster_yaml(helm):
    instance = load("dagster.yaml")

    assert (
        helm["concurrency"]["runs"]["maxConcurrentRuns"]
        == instance["concurrency"]["runs"]["max_concurrent_runs"]
    )
    assert helm["concurrency"]["pools"] == {
        "defaultLimit": instance["concurrency"]["pools"]["default_limit"],
        "granularity": instance["concurrency"]["pools"]["granularity"],
    }
    monitoring = helm["dagsterDaemon"]["runMonitoring"]
    assert monitoring["startTimeoutSeconds"] == instance["run_monitoring"]["start_timeout_seconds"]
    assert helm["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    assert helm["additionalInstanceConfig"]["freshness"] == instance["freshness"]
    assert helm["telemetry"] == instance["telemetry"]
    assert helm["postgresql"]["enabled"] is False
