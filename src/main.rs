use bevy::prelude::*;

fn main() -> AppExit {
    match yunzhan::Options::parse(std::env::args().skip(1)) {
        Ok(options) => yunzhan::app(&options).run(),
        Err(message) => {
            eprintln!("{message}");
            AppExit::error()
        }
    }
}
