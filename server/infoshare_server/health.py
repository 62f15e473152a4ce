"""``GET /healthz``: is this worker able to serve? For load balancers and orchestrators.

Part of the node issue ("a health endpoint"). It needs no credentials and
reveals no data: it runs one trivial query against the database and answers
200 ``{"status": "ok"}`` or 503 ``{"status": "unavailable"}``. On PostgreSQL
that query also asks whether the database takes writes: an instance whose
connections land on a read-only database (a streaming replica, a demoted
primary after a failover) cannot accept adds or sign-ins, so it reports
itself unavailable and the load balancer sends its requests elsewhere
(docs/adr/0019-several-instances.md, "Health checks").
"""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
from flask import Blueprint, Response, current_app

from infoshare_server.storage._engine import is_sqlite

log = logging.getLogger(__name__)

health_blueprint = Blueprint("health", __name__)


def _database_ok() -> bool:
    store = getattr(current_app.medallion_backend, "store", None)  # type: ignore[attr-defined]
    if store is None:  # a backend without a database (tests): nothing to check
        return True
    try:
        with store.reading() as connection:
            if is_sqlite(connection):
                connection.execute(sa.text("SELECT 1"))
                return True
            read_only = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
    except Exception:
        log.exception("health check: the database does not answer")
        return False
    if read_only == "on":
        log.warning(
            "health check: the database is read-only (a replica?); the node needs its primary"
        )
        return False
    return True


@health_blueprint.route("/healthz", methods=["GET"], endpoint="health")
def health() -> Response:
    ok = _database_ok()
    return Response(
        json.dumps({"status": "ok" if ok else "unavailable"}),
        status=200 if ok else 503,
        mimetype="application/json",
        headers={"Cache-Control": "no-store"},
    )
