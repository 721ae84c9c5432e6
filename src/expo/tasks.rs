//! Work off the frame loop (downloads, the platform worker).

/// Runs a task off the frame loop: natively on a thread of its own with a
/// small async runtime, in a browser on the page's event loop. `make`
/// makes the task where it runs.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn spawn_task<F>(name: &str, make: impl FnOnce() -> F + Send + 'static)
where
    F: std::future::Future<Output = ()>,
{
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(make()),
                Err(error) => bevy::log::error!("cannot start a task's runtime: {error}"),
            }
        });
    if let Err(error) = spawned {
        bevy::log::error!("cannot start the {name} task: {error}");
    }
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn spawn_task<F>(_name: &str, make: impl FnOnce() -> F + 'static)
where
    F: std::future::Future<Output = ()> + 'static,
{
    wasm_bindgen_futures::spawn_local(make());
}
