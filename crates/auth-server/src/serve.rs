//! Running the service: a listener, peer addresses recorded for every request, and a
//! graceful shutdown on SIGTERM or Ctrl-C (requests in flight finish; new ones are not taken).

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve_until(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Serves `app` on `listener` until SIGTERM or Ctrl-C.
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    serve_until(listener, app, shutdown_signal()).await
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM. If a handler cannot be installed,
/// that signal is not waited for (the other still is).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
        () = term => tracing::info!("SIGTERM: shutting down"),
    }
}

/// For programs without an async runtime (`authctl serve`): builds a multi-threaded tokio
/// runtime, binds `listen`, calls `ready` with the bound address (port 0 picks a free one),
/// and serves `app` until SIGTERM or Ctrl-C.
pub fn serve_blocking(
    listen: SocketAddr,
    app: Router,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = TcpListener::bind(listen).await?;
            ready(listener.local_addr()?);
            serve(listener, app).await
        })
}
