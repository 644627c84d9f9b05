"""The code location: every asset, check, job, schedule and sensor, with their resources.

`dagster dev` (through `workspace.yaml`), `dg check defs` and `dg list defs` load `defs`, a
`@definitions` function: importing this module builds nothing and reads no environment; the
environment (`HYGIENE_WAREHOUSE_URL`, `HYGIENE_LANDING_DIR`, ...) is read when the definitions
are loaded, and secrets only when a run uses them (`EnvVar`). The `hygiene` CLI builds the same
definitions with its own landing folder, warehouse URL and reference time.

Assets hand each other tables of the warehouse (`WarehouseIOManager`), written to the run's own
schemas; the last step, `warehouse/publication`, publishes them once every check has passed."""

from __future__ import annotations

from pathlib import Path

from dagster import (
    AssetChecksDefinition,
    AssetsDefinition,
    AssetSelection,
    Definitions,
    ExecutorDefinition,
    define_asset_job,
    definitions,
    multiprocess_executor,
)

from hygiene_pipeline.defs.asset_catalog import with_asset_catalog
from hygiene_pipeline.defs.feed_assets import feed_assets
from hygiene_pipeline.defs.follow_up_assets import follow_up_tasks_asset
from hygiene_pipeline.defs.history_assets import build_history_checks, history_assets
from hygiene_pipeline.defs.linkage_assets import linkage_assets
from hygiene_pipeline.defs.publish_assets import build_publish_asset
from hygiene_pipeline.defs.quality_assets import dq_check_results
from hygiene_pipeline.defs.quality_checks import (
    build_compliance_checks,
    build_drift_checks,
    build_rejected_files_check,
    build_suite_checks,
)
from hygiene_pipeline.defs.quarantine_assets import rejected_files, rejected_records
from hygiene_pipeline.defs.resources import (
    LARGE_STEP_TAGS,
    BatchClockResource,
    BiAccessResource,
    LandingResource,
    LinkageResource,
    WarehouseResource,
    landing_from_env,
    warehouse_from_env,
)
from hygiene_pipeline.defs.schedules import build_batch_schedule
from hygiene_pipeline.defs.scorecard_assets import dq_scorecard
from hygiene_pipeline.defs.scoring_assets import scoring_assets
from hygiene_pipeline.defs.scoring_config import ScoringResource
from hygiene_pipeline.defs.sensors import (
    alert_webhook_from_env,
    build_landing_sensor,
    run_failure_alert,
)
from hygiene_pipeline.defs.sql_model_assets import build_sql_model_assets
from hygiene_pipeline.defs.threaded_executor import threaded_executor
from hygiene_pipeline.defs.warehouse_io import WarehouseIOManager
from hygiene_pipeline.home import HOME_DIR
from hygiene_pipeline.package_files import sql_models_dir

BATCH_JOB_NAME = "hygiene_batch"
SQL_MODELS_DIR = sql_models_dir()
PARALLEL_EXECUTOR = multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": [__name__]}}}
)
"""Runs on a server warehouse (PostgreSQL) run their steps in parallel processes, forked from one
that has imported the project once (spawning each step re-imports it: about 4x slower). GX is
not preloaded: the shipped suites need none, and a step imports it only to check the
configuration of a suite its Dagster home has not accepted yet (`quality.evaluation`)."""
EMBEDDED_EXECUTOR = threaded_executor.configured(
    {
        "tag_concurrency_limits": [
            {"key": key, "value": value, "limit": 1} for key, value in LARGE_STEP_TAGS.items()
        ]
    }
)
"""Runs on the embedded DuckDB warehouse run every step in the run's own process, which holds the
database open from first step to publication: DuckDB lets one process at a time write its file,
so step processes would only queue for it, each paying for opening and checkpointing the file.
Independent steps run two at a time in threads of that process (`threaded_executor`), the
largest of them one at a time (`LARGE_STEP_TAGS`); inside a step, DuckDB's threads run its SQL
and process pools the per-value standardising."""


def batch_executor(warehouse: WarehouseResource) -> ExecutorDefinition:
    """The executor for the batch's runs, chosen by where the warehouse lives."""
    return EMBEDDED_EXECUTOR if warehouse.is_embedded() else PARALLEL_EXECUTOR


def build_assets() -> list[AssetsDefinition]:
    """Every asset of the graph, with owners, and curated ones with their freshness policy and
    documented columns (`asset_catalog`); the publication is downstream of all the others."""
    computed = [
        *feed_assets,
        rejected_records,
        rejected_files,
        *linkage_assets,
        *scoring_assets,
        *history_assets,
        dq_check_results,
        dq_scorecard,
        follow_up_tasks_asset,
        *build_sql_model_assets(SQL_MODELS_DIR),
    ]
    upstream = [key for asset in computed for key in asset.keys]
    return with_asset_catalog([*computed, build_publish_asset(upstream, SQL_MODELS_DIR)])


def build_checks(assets: list[AssetsDefinition]) -> list[AssetChecksDefinition]:
    """Every check whose asset is part of the graph."""
    keys = {key for asset in assets for key in asset.keys}
    checks = [
        *build_suite_checks(),
        *build_compliance_checks(),
        *build_drift_checks(),
        *build_rejected_files_check(),
        *build_history_checks(),
    ]
    return [c for c in checks if all(k.asset_key in keys for k in c.check_keys)]


def build_definitions(
    landing: LandingResource | None = None,
    warehouse: WarehouseResource | None = None,
    clock: BatchClockResource | None = None,
    linkage: LinkageResource | None = None,
    scoring: ScoringResource | None = None,
    home: Path = HOME_DIR,
    executor: ExecutorDefinition | None = None,
) -> Definitions:
    """All definitions, bound to the given resources (environment defaults where omitted);
    `executor` runs the steps of a run (default `batch_executor`; `k8s_definitions` puts each in
    a Kubernetes job).
    `home` holds the embedded warehouse when no URL is given; nothing else is kept there."""
    batch_job = define_asset_job(
        BATCH_JOB_NAME,
        selection=AssetSelection.all(),
        description="The whole batch: ingest, standardise, link, score, publish and check.",
    )
    assets = build_assets()
    warehouse = warehouse or warehouse_from_env(home)
    return Definitions(
        assets=assets,
        asset_checks=build_checks(assets),
        jobs=[batch_job],
        schedules=[build_batch_schedule(BATCH_JOB_NAME)],
        sensors=[build_landing_sensor(BATCH_JOB_NAME), run_failure_alert],
        executor=executor or batch_executor(warehouse),
        resources={
            "landing": landing or landing_from_env(),
            "warehouse": warehouse,
            "clock": clock or BatchClockResource(),
            "linkage": linkage or LinkageResource(),
            "scoring": scoring or ScoringResource(),
            "bi": BiAccessResource(),
            "io_manager": WarehouseIOManager(warehouse=warehouse),
            "alert_webhook": alert_webhook_from_env(),
        },
    )


@definitions
def defs() -> Definitions:
    """The code location's definitions, built when Dagster loads them."""
    return build_definitions()
