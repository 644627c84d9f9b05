"""Where the project keeps its local state by default: `.hygiene` under the working directory.

It holds the Dagster instance (`dagster_home`), the embedded warehouse and the demo's world. It is
its own module, free of Dagster, because the `hygiene` command imports it at start, and so does
every worker process the batch spawns (they re-import the program's main module).
"""

from pathlib import Path

HOME_DIR = Path(".hygiene")
