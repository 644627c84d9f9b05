"""The code location for Kubernetes: every definition of `hygiene_pipeline.definitions`, with each
step of a run in a Kubernetes job of its own (`dagster_k8s.k8s_job_executor`).

Steps share nothing but the warehouse, so the warehouse must be PostgreSQL
(`HYGIENE_WAREHOUSE_URL`), and the landing folder a volume every pod mounts. Step pods inherit
the run's image, environment, secrets and volumes; a step's own resources can be set with the
`dagster-k8s/config` tag or the executor's `step_k8s_config`. Needs `hygiene-pipeline[k8s]`;
`deploy/helm/values.yaml` serves this module (`dagster api grpc -m
hygiene_pipeline.k8s_definitions`).
"""

from dagster import Definitions, definitions
from dagster_k8s import k8s_job_executor

from hygiene_pipeline.definitions import build_definitions


@definitions
def defs() -> Definitions:
    """The definitions with the Kubernetes executor, built when Dagster loads them."""
    return build_definitions(executor=k8s_job_executor)
