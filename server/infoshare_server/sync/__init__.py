"""Node-to-node exchange: pull from and push to partner nodes over TAXII 2.1.

Implements issue 5 ("Node-to-node exchange"); the design is
docs/adr/0007-sync.md and the operator's view docs/operator-guide.md,
"Node-to-node sync". Built on taxii2-client. One job per module:

``_remote``       a remote collection through taxii2-client, every answer checked
``_credentials``  secrets of ``[[remotes]]`` from the environment or a file
``_local``        the local node: its store, collections and ingest path
``_state``        watermarks, provenance, refused objects (SQL, migration 3)
``_pull``         remote → local, one committed transaction per page
``_push``         local → remote, through the access rules (``_visibility``)
``_visibility``   the one seam to the access package's visibility decision
``_retry``        exponential backoff, bounded
``_progress``     the progress display
``_runner``       a run over the configured remotes, once or on a schedule
"""

from infoshare_server.sync._errors import RemoteError, RemoteGarbage, RemoteUnavailable, SyncError
from infoshare_server.sync._local import LocalNode
from infoshare_server.sync._progress import (
    Counts,
    PlainProgress,
    Progress,
    TerminalProgress,
    progress_for,
)
from infoshare_server.sync._pull import pull
from infoshare_server.sync._push import push
from infoshare_server.sync._remote import Page, PushOutcome, RemoteCollection
from infoshare_server.sync._retry import Backoff
from infoshare_server.sync._runner import RunResult, run_every, run_once, select_remotes
from infoshare_server.sync._state import StateKey, reset_state

__all__ = [
    "Backoff",
    "Counts",
    "LocalNode",
    "Page",
    "PlainProgress",
    "Progress",
    "PushOutcome",
    "RemoteCollection",
    "RemoteError",
    "RemoteGarbage",
    "RemoteUnavailable",
    "RunResult",
    "StateKey",
    "SyncError",
    "TerminalProgress",
    "progress_for",
    "pull",
    "push",
    "reset_state",
    "run_every",
    "run_once",
    "select_remotes",
]
