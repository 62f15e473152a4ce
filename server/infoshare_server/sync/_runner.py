"""One sync run over the configured remotes, or runs on a schedule.

Implements "Running it" of issue 5 (docs/adr/0007-sync.md). A run visits
every selected ``[[remotes]]`` entry and, for each of its collection pairs,
pulls and/or pushes as configured and asked. A remote that fails (after its
retries) is reported and the run goes on with the others; the run's result
says which failed. ``every`` repeats runs with a pause between them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from infoshare_server.config import NodeConfig, RemoteCollectionSection, RemoteSection
from infoshare_server.sync._credentials import (
    remote_auth,
    remote_client_certificate,
    remote_verify,
)
from infoshare_server.sync._errors import RemoteError, SyncError
from infoshare_server.sync._local import LocalNode
from infoshare_server.sync._progress import Counts, Progress
from infoshare_server.sync._pull import pull
from infoshare_server.sync._push import push
from infoshare_server.sync._remote import RemoteCollection, opened
from infoshare_server.sync._retry import Backoff
from infoshare_server.sync._visibility import check_partner, partner_visibility


@dataclass
class RunResult:
    """What one run did: counts per (remote, direction, collection), and what failed."""

    counts: list[Counts] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def select_remotes(config: NodeConfig, names: Sequence[str]) -> list[RemoteSection]:
    """The ``[[remotes]]`` entries called ``names`` (all when empty)."""
    if not config.remotes:
        raise SyncError(
            "the configuration has no [[remotes]]; nothing to sync",
            hint="see docs/operator-guide.md, section 'Node-to-node sync'",
        )
    if not names:
        return list(config.remotes)
    known = {remote.name: remote for remote in config.remotes}
    missing = [name for name in names if name not in known]
    if missing:
        raise SyncError(
            f"no remote called {', '.join(missing)} in the configuration",
            hint=f"configured remotes: {', '.join(sorted(known))}",
        )
    return [known[name] for name in names]


def _wants(pair: RemoteCollectionSection, direction: str) -> bool:
    return pair.direction in (direction, "both")


def run_once(
    config: NodeConfig,
    local: LocalNode,
    remotes: Sequence[RemoteSection],
    *,
    pull_wanted: bool,
    push_wanted: bool,
    progress: Progress,
    sleep: Callable[[float], None] = time.sleep,
) -> RunResult:
    """Pull and/or push every collection pair of ``remotes`` once."""
    result = RunResult()
    for remote in remotes:
        label = f"{remote.name}"
        try:
            auth = remote_auth(remote, config.base_dir)
            verify = remote_verify(remote, config.base_dir)
            client_certificate = remote_client_certificate(remote, config.base_dir)
        except SyncError as exc:
            progress.error(label, exc.message, exc.hint)
            result.failures.append(f"{label}: {exc.message}")
            continue
        backoff = Backoff(
            retries=remote.retries, first_delay=remote.retry_delay, max_delay=300.0, sleep=sleep
        )
        for pair in remote.collections:
            directions = [
                d
                for d, wanted in (("pull", pull_wanted), ("push", push_wanted))
                if wanted and _wants(pair, d)
            ]
            for direction in directions:
                arrow = "→" if direction == "push" else "←"
                where = f"{remote.name} {direction} {pair.local} {arrow} {pair.remote}"
                client = RemoteCollection(
                    name=remote.name,
                    api_root_url=remote.api_root,
                    discovery_url=remote.discovery,
                    collection_id=str(pair.remote),
                    auth=auth,
                    verify=verify,
                    timeout=remote.timeout,
                    client_certificate=client_certificate,
                )
                try:
                    with opened(client):
                        key = local.key(pair)
                        if direction == "pull":
                            check_partner(local, remote)
                            counts = pull(
                                local,
                                key,
                                client,
                                page_size=remote.page_size,
                                backoff=backoff,
                                progress=progress,
                                label=where,
                                submitter=remote.partner,
                                convert_from=remote.convert_from,
                            )
                        else:
                            visibility = partner_visibility(local, remote, key)
                            counts = push(
                                local,
                                key,
                                client,
                                visibility,
                                page_size=remote.page_size,
                                wait_seconds=remote.timeout,
                                backoff=backoff,
                                progress=progress,
                                label=where,
                            )
                    result.counts.append(counts)
                except (RemoteError, SyncError) as exc:
                    progress.error(where, exc.message, exc.hint)
                    result.failures.append(f"{where}: {exc.message}")
    return result


def run_every(
    interval: float,
    once: Callable[[], RunResult],
    *,
    rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> RunResult:
    """Call ``once`` every ``interval`` seconds (``rounds`` times, or for ever); the last result."""
    done = 0
    last = RunResult()
    while rounds is None or done < rounds:
        started = clock()
        last = once()
        done += 1
        if rounds is not None and done >= rounds:
            break
        sleep(max(0.0, interval - (clock() - started)))
    return last
