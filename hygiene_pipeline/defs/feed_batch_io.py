"""Where a feed's `FeedFrames` waits for the assets downstream of it.

Dagster's filesystem IO manager keeps a partitioned asset's output per partition key, refuses one
output for a range of partitions (a single-run backfill), and has an unpartitioned consumer load
every partition since the first day. The feed batches need none of that: downstream assets
(`curated.rejected_records`) consume the batch of the last full run, and a partitioned run only
replaces its days in the warehouse. So this IO manager keeps one pickle per asset key, written
by runs without a partition key; a partitioned run's output is not kept.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from dagster import AssetKey, ConfigurableIOManager, InputContext, OutputContext
from pydantic import Field

from hygiene_pipeline.domain.feed_frames import FeedFrames

FEED_BATCH_IO_MANAGER_KEY = "feed_batch_io_manager"


class FeedBatchIOManager(ConfigurableIOManager):
    """Pickles each feed's full batch under `base_dir`, one file per asset key."""

    base_dir: str = Field(description="Folder for the pickled batches (created when missing).")

    def path_for(self, key: AssetKey) -> Path:
        """The file that holds the batch of `key`."""
        return Path(self.base_dir, *key.path).with_suffix(".pickle")

    def handle_output(self, context: OutputContext, obj: FeedFrames) -> None:
        """Keep the batch of a full run, atomically; skip a partitioned run's batch."""
        if context.has_asset_partitions:
            context.log.info(
                "Partitioned run: its batch is not kept; downstream assets read the last full run's"
            )
            return
        path = self.path_for(context.asset_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target, then rename: a concurrent reader sees the old or the new file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(obj, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load_input(self, context: InputContext) -> FeedFrames:
        """The upstream feed's batch of the last full run."""
        key = context.upstream_output.asset_key if context.upstream_output else context.asset_key
        path = self.path_for(key)
        if not path.exists():
            raise FileNotFoundError(
                f"No batch of {key.to_user_string()} yet: run the whole batch (job hygiene_batch) "
                "once; backfills of daily partitions do not keep a batch"
            )
        with path.open("rb") as file:
            return pickle.load(file)
