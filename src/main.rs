use bevy::prelude::*;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> AppExit {
    use clap::Parser;
    let options = yunzhan::Options::parse();
    let files = yunzhan::ShippedFiles::compiled_in();
    match &options.check_booth {
        Some(dir) if yunzhan::check_booth(dir, &files) => AppExit::Success,
        Some(_) => AppExit::error(),
        None => match yunzhan::app(&options, files) {
            Ok(mut app) => app.run(),
            Err(message) => {
                eprintln!("yunzhan: {message}");
                AppExit::error()
            }
        },
    }
}

#[cfg(target_arch = "wasm32")]
fn main() -> AppExit {
    let started = yunzhan::web::take_page_files()
        .and_then(|files| yunzhan::app(&yunzhan::web::page_options()?, files));
    yunzhan::web::mark_phase("yunzhan-built");
    match started {
        Ok(mut app) => app.run(),
        Err(message) => {
            yunzhan::web::report_start_failure(&message);
            AppExit::error()
        }
    }
}
