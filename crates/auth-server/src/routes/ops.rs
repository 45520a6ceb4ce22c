//! The operator's routes, without a token (docs/server.md, "Operating it"): `GET /healthz`
//! (the process answers), `GET /readyz` (the revocation store and the database can answer),
//! `GET /metrics` (Prometheus) and `GET /openapi.json` (the routes' description).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde_json::json;

use super::{blocking, json_response, Refusal};
use crate::app::AppState;
use crate::metrics::METRICS_CONTENT_TYPE;

/// How long `/readyz` waits for the database's `SELECT 1` (the connection is shared behind
/// a mutex: a stuck query elsewhere makes the service unready, not the probe hang).
const DB_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `GET /healthz`: `200 {"status":"ok"}` while the process serves requests.
pub(crate) async fn healthz() -> Response {
    no_store(json_response(
        StatusCode::OK,
        json!({"status": "ok"}).to_string(),
    ))
}

/// `GET /readyz`: `200 {"status":"ready", ...}` when the revocation store can answer (its
/// status, no I/O) and the database answers `SELECT 1`; otherwise `503 {"status":
/// "not_ready", ...}` with each check's result (`revocation_store`: `ok`, `lost` or `stale`;
/// `database`: `ok` or `unreachable`). The database's error goes to the log, not the body.
pub(crate) async fn readyz(State(st): State<Arc<AppState>>) -> Response {
    let store = st.revoker.status();
    let store_check = match store.ready() {
        Ok(()) => "ok",
        Err(why) => why.as_str(),
    };
    let db = st.db.clone();
    let ping = blocking(move || db.ping().map_err(Refusal::from));
    let db_check = match tokio::time::timeout(DB_PROBE_TIMEOUT, ping).await {
        Ok(Ok(())) => "ok",
        Ok(Err(refusal)) => {
            tracing::warn!(error = ?refusal, "readiness: the database did not answer SELECT 1");
            "unreachable"
        }
        Err(_) => {
            tracing::warn!(timeout = ?DB_PROBE_TIMEOUT, "readiness: the database did not answer in time");
            "unreachable"
        }
    };
    let ready = store_check == "ok" && db_check == "ok";
    let mut body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": {"revocation_store": store_check, "database": db_check},
    });
    if let Some(s) = store.staleness_seconds {
        body["revocation_store"] = json!({
            "connected": store.connected,
            "staleness_seconds": (s * 1000.0).round() / 1000.0,
        });
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    no_store(json_response(status, body.to_string()))
}

/// `GET /metrics`: every metric in the OpenMetrics text format, the store's gauges read now.
pub(crate) async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    st.metrics.observe_store(&st.revoker.status());
    let mut res = (StatusCode::OK, st.metrics.render()).into_response();
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(METRICS_CONTENT_TYPE));
    no_store(res)
}

/// The OpenAPI 3.1 description of every route (`crates/auth-server/api/openapi.json`, checked
/// against real answers by scripts/test-server.sh).
pub const OPENAPI_JSON: &str = include_str!("../../api/openapi.json");

/// `GET /openapi.json`: [`OPENAPI_JSON`].
pub(crate) async fn openapi() -> Response {
    json_response(StatusCode::OK, OPENAPI_JSON.to_owned())
}
