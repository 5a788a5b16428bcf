//! Running the component with wasmtime: one [`Exchanger`] per process, one `Store` per call.
//!
//! The expensive steps (configuring the engine, compiling the component, resolving its imports
//! against the linker) happen once in [`Exchanger::new`]. Each call then instantiates the
//! pre-linked component into a fresh `Store`, so no state, resource or memory growth carries
//! over from one call to the next, and a trap ends only the call that caused it.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::error::Context as _;
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store,
};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::bindings::{
    from_raw, from_raw_list, raw, ExchangeRequest, ExchangeResult, Options, TokenExchanger,
    TokenExchangerPre,
};
use crate::routing::{Router, RoutingHooks};

/// Bytes of guest stderr stored per call. A guest that writes more traps, because
/// `MemoryOutputPipe` rejects writes beyond its capacity. This component imports no stdio and
/// writes nothing; the pipe is there for other builds of it and for tests that check it.
const STDERR_CAPACITY_PER_CALL: usize = 1024 * 1024;

/// Bytes of guest stderr a [`Session`] stores across its calls. Later output is dropped.
const STDERR_CAPACITY_PER_SESSION: usize = 4 * 1024 * 1024;

/// Bytes of each pooled linear memory and table that stay resident between calls; see
/// [`pooling_config`]. One call touches about 1.1 MiB of linear memory: 17 to 18 wasm pages of
/// 64 KiB for the 1 MiB guest stack, static data and the heap. 4 MiB leaves room for batches.
pub const KEEP_RESIDENT_BYTES: usize = 4 * 1024 * 1024;

/// Builds the pooling allocator settings of [`Exchanger::new`]: wasmtime's defaults, plus a
/// reset of only the pages that a call dirtied.
///
/// By default wasmtime resets a linear memory with `madvise(MADV_DONTNEED)`. The next call then
/// takes a page fault for every page it touches again, and each `madvise` flushes the TLB of
/// every thread of the process. With `pagemap_scan` (the `PAGEMAP_SCAN` ioctl, Linux 6.7 and
/// later) wasmtime finds the dirty pages and restores them with `memset`, up to
/// [`KEEP_RESIDENT_BYTES`]. `Enabled::Auto` keeps the default where the ioctl is missing.
///
/// BENCHMARKS.md has the measured effect (Linux 6.18): a call without I/O takes about half the
/// time. The cost is resident memory, because each warm pool slot keeps the pages its last
/// call touched, at most [`KEEP_RESIDENT_BYTES`] per memory.
pub fn pooling_config() -> PoolingAllocationConfig {
    let mut pooling = PoolingAllocationConfig::default();
    pooling
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        .table_keep_resident(KEEP_RESIDENT_BYTES)
        .pagemap_scan(Enabled::Auto);
    pooling
}

/// The `T` of each `Store`: WASI context, `wasi:http` context and hooks, and the resource table
/// that both share.
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: RoutingHooks,
    table: ResourceTable,
}

impl HostState {
    /// Creates the state for one call: the stock `wasi:http` sender, no environment, no
    /// preopened files, an empty stdin, and stdout and stderr discarded.
    pub fn new() -> HostState {
        HostState::with(WasiCtx::builder().build(), RoutingHooks::default())
    }

    fn with(wasi: WasiCtx, hooks: RoutingHooks) -> HostState {
        HostState {
            wasi,
            http: WasiHttpCtx::new(),
            hooks,
            table: ResourceTable::new(),
        }
    }
}

impl Default for HostState {
    fn default() -> Self {
        HostState::new()
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// The compiled and pre-linked component. Create one per process and clone it freely: clones
/// share the engine and the compiled code.
#[derive(Clone)]
pub struct Exchanger {
    engine: Engine,
    pre: TokenExchangerPre<HostState>,
}

impl Exchanger {
    /// Compiles the component at `component_path` with the pooling allocator of
    /// [`pooling_config`]. Its sizes are wasmtime's defaults: in wasmtime 48 on 64-bit hosts,
    /// 1000 component instances, core instances and memories at once.
    pub fn new(component_path: impl AsRef<Path>) -> wasmtime::Result<Exchanger> {
        Exchanger::with_pooling(component_path, pooling_config())
    }

    /// Compiles the component at `component_path` with the pooling allocator sized by `pooling`.
    pub fn with_pooling(
        component_path: impl AsRef<Path>,
        pooling: PoolingAllocationConfig,
    ) -> wasmtime::Result<Exchanger> {
        let mut config = Config::new();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
        let engine = Engine::new(&config)?;

        let path = component_path.as_ref();
        // Checked first because the context added below hides the OS cause unless the error is
        // printed with `{:#}`, and a wrong path is a likely mistake.
        if !path.is_file() {
            return Err(wasmtime::format_err!(
                "component not found at {}; pass the path of a built component, such as the \
                 dist/graph_token_exchange.wasm that `make release` writes",
                path.display()
            ));
        }
        let component = Component::from_file(&engine, path)
            .with_context(|| format!("failed to load the component {}", path.display()))?;
        Exchanger::from_component(&engine, &component)
    }

    /// Links an already compiled `component` against WASI and `wasi:http`.
    pub fn from_component(engine: &Engine, component: &Component) -> wasmtime::Result<Exchanger> {
        let mut linker = Linker::<HostState>::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        let instance_pre = linker.instantiate_pre(component)?;
        Ok(Exchanger {
            engine: engine.clone(),
            pre: TokenExchangerPre::new(instance_pre)?,
        })
    }

    /// Returns the engine the component was compiled with.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Starts a [`Session`] with the stock `wasi:http` sender and no host deadline.
    pub fn session(&self) -> Session {
        Session {
            exchanger: self.clone(),
            hooks: RoutingHooks::default(),
            host_deadline: None,
            stderr: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Calls `exchange-token` in a new session.
    pub async fn exchange_token(
        &self,
        app_id: &str,
        app_secret: &str,
        short_token: &str,
    ) -> wasmtime::Result<ExchangeResult> {
        self.session()
            .exchange_token(app_id, app_secret, short_token)
            .await
    }

    /// Calls `exchange-token-with` in a new session.
    pub async fn exchange_token_with(
        &self,
        app_id: &str,
        app_secret: &str,
        short_token: &str,
        options: &Options,
    ) -> wasmtime::Result<ExchangeResult> {
        self.session()
            .exchange_token_with(app_id, app_secret, short_token, options)
            .await
    }

    /// Calls `refresh-token` in a new session.
    pub async fn refresh_token(
        &self,
        token: &str,
        options: &Options,
    ) -> wasmtime::Result<ExchangeResult> {
        self.session().refresh_token(token, options).await
    }

    /// Calls `exchange-tokens` in a new session.
    pub async fn exchange_tokens(
        &self,
        requests: &[ExchangeRequest],
        options: &Options,
    ) -> wasmtime::Result<Vec<ExchangeResult>> {
        self.session().exchange_tokens(requests, options).await
    }

    /// Calls `refresh-tokens` in a new session.
    pub async fn refresh_tokens(
        &self,
        tokens: &[String],
        options: &Options,
    ) -> wasmtime::Result<Vec<ExchangeResult>> {
        self.session().refresh_tokens(tokens, options).await
    }

    /// Calls `default-api-version` in a new session.
    pub async fn default_api_version(&self) -> wasmtime::Result<String> {
        self.session().default_api_version().await
    }
}

/// Settings shared by a series of calls: `wasi:http` hooks, an optional host deadline, and the
/// guest's stderr from every call. Each call still runs in its own `Store`.
///
/// The outer `wasmtime::Result` of each call is a host failure (a trap, a link error, the host
/// deadline). The inner `Result` is the component's own result.
pub struct Session {
    exchanger: Exchanger,
    hooks: RoutingHooks,
    host_deadline: Option<Duration>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Session {
    /// Sends every request of this session's calls through `router`.
    pub fn route_to(mut self, router: &Router) -> Session {
        self.hooks.router = Some(router.clone());
        self
    }

    /// Rejects every request to a host that is not loopback with `HTTP-request-denied`, as a
    /// safety net for tests.
    pub fn loopback_only(mut self) -> Session {
        self.hooks.loopback_only = true;
        self
    }

    /// Ends any call that runs longer than `deadline` with a host error. The call is dropped at
    /// its next suspension point, such as a wait for a response. A guest that spins without
    /// waiting is not interrupted.
    pub fn host_deadline(mut self, deadline: Duration) -> Session {
        self.host_deadline = Some(deadline);
        self
    }

    /// Returns what the guest wrote to stderr during this session's calls, decoded lossily.
    pub fn guest_stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Calls `exchange-token`: exchanges `short_token` with the default options, the platform
    /// chosen by the token's prefix.
    pub async fn exchange_token(
        &self,
        app_id: &str,
        app_secret: &str,
        short_token: &str,
    ) -> wasmtime::Result<ExchangeResult> {
        self.run(async |instance, store| {
            instance
                .graph_token_exchange_exchange()
                .call_exchange_token(store, app_id, app_secret, short_token)
                .await
        })
        .await
        .map(from_raw)
    }

    /// Calls `exchange-token-with`: exchanges `short_token` with `options`.
    pub async fn exchange_token_with(
        &self,
        app_id: &str,
        app_secret: &str,
        short_token: &str,
        options: &Options,
    ) -> wasmtime::Result<ExchangeResult> {
        self.run(async |instance, store| {
            instance
                .graph_token_exchange_exchange()
                .call_exchange_token_with(store, app_id, app_secret, short_token, options)
                .await
        })
        .await
        .map(from_raw)
    }

    /// Calls `refresh-token`: refreshes a long-lived Threads or Instagram `token`.
    pub async fn refresh_token(
        &self,
        token: &str,
        options: &Options,
    ) -> wasmtime::Result<ExchangeResult> {
        self.run(async |instance, store| {
            instance
                .graph_token_exchange_exchange()
                .call_refresh_token(store, token, options)
                .await
        })
        .await
        .map(from_raw)
    }

    /// Calls `exchange-tokens`: exchanges every item concurrently, at most
    /// `options.max_concurrency` at once, and returns one result per item in input order.
    pub async fn exchange_tokens(
        &self,
        requests: &[ExchangeRequest],
        options: &Options,
    ) -> wasmtime::Result<Vec<ExchangeResult>> {
        let requests: Vec<raw::ExchangeRequest> = requests.iter().map(Into::into).collect();
        self.run(async |instance, store| {
            instance
                .graph_token_exchange_exchange()
                .call_exchange_tokens(store, &requests, options)
                .await
        })
        .await
        .map(from_raw_list)
    }

    /// Calls `refresh-tokens`: refreshes every token concurrently and returns one result per
    /// token in input order.
    pub async fn refresh_tokens(
        &self,
        tokens: &[String],
        options: &Options,
    ) -> wasmtime::Result<Vec<ExchangeResult>> {
        self.run(async |instance, store| {
            instance
                .graph_token_exchange_exchange()
                .call_refresh_tokens(store, tokens, options)
                .await
        })
        .await
        .map(from_raw_list)
    }

    /// Calls `default-api-version`: the Graph API version used when `options.api_version` is
    /// `None`.
    pub async fn default_api_version(&self) -> wasmtime::Result<String> {
        self.run(async |instance, store| {
            instance
                .graph_token_exchange_exchange()
                .call_default_api_version(store)
                .await
        })
        .await
    }

    /// Instantiates the component into a fresh `Store`, runs `call` on it, and keeps what the
    /// guest wrote to stderr, whether the call succeeded or not.
    async fn run<R>(
        &self,
        call: impl AsyncFnOnce(&TokenExchanger, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> wasmtime::Result<R> {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY_PER_CALL);
        let wasi = WasiCtx::builder().stderr(stderr.clone()).build();
        let state = HostState::with(wasi, self.hooks.clone());
        let mut store = Store::new(&self.exchanger.engine, state);

        let outcome = async {
            let instance = self.exchanger.pre.instantiate_async(&mut store).await?;
            call(&instance, &mut store).await
        };
        let outcome = match self.host_deadline {
            None => outcome.await,
            Some(deadline) => match tokio::time::timeout(deadline, outcome).await {
                Ok(outcome) => outcome,
                Err(_) => Err(wasmtime::format_err!(
                    "the call did not finish within the host deadline of {} ms",
                    deadline.as_millis()
                )),
            },
        };

        self.keep_stderr(&stderr.contents());
        outcome
    }

    fn keep_stderr(&self, output: &[u8]) {
        let mut kept = self.stderr.lock().unwrap();
        let room = STDERR_CAPACITY_PER_SESSION.saturating_sub(kept.len());
        kept.extend_from_slice(&output[..output.len().min(room)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_component_is_named() {
        let error = match Exchanger::new("/nonexistent/graph_token_exchange.wasm") {
            Ok(_) => panic!("a missing file loaded"),
            Err(error) => error,
        };

        assert_eq!(
            error.to_string(),
            "component not found at /nonexistent/graph_token_exchange.wasm; pass the path of a \
             built component, such as the dist/graph_token_exchange.wasm that `make release` writes"
        );
    }
}
