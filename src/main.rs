use bevy::prelude::*;

fn main() -> AppExit {
    #[cfg(not(target_arch = "wasm32"))]
    let options = yunzhan::Options::parse(std::env::args().skip(1));
    #[cfg(target_arch = "wasm32")]
    let options = yunzhan::web::page_options();
    match options {
        Ok(options) => yunzhan::app(&options).run(),
        Err(message) => {
            eprintln!("{message}");
            AppExit::error()
        }
    }
}
