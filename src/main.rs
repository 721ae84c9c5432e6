use bevy::prelude::*;

fn main() -> AppExit {
    #[cfg(not(target_arch = "wasm32"))]
    let options = yunzhan::Options::parse(std::env::args().skip(1));
    #[cfg(target_arch = "wasm32")]
    let options = yunzhan::web::take_page_files().and_then(|()| yunzhan::web::page_options());
    match options {
        #[cfg(not(target_arch = "wasm32"))]
        Ok(yunzhan::Options {
            check_booth: Some(dir),
            ..
        }) => {
            let catalog = yunzhan_model::Catalog::load(yunzhan_model::EMBEDDED_CATALOG)
                .expect("the embedded catalog loads")
                .catalog;
            let report = yunzhan_model::booth::check_booth(&dir, &catalog);
            print!("{}", report.describe(&dir.display().to_string()));
            if report.ok() {
                AppExit::Success
            } else {
                AppExit::error()
            }
        }
        Ok(options) => yunzhan::app(&options).run(),
        Err(message) => {
            eprintln!("{message}");
            #[cfg(target_arch = "wasm32")]
            yunzhan::web::report_start_failure(&message);
            AppExit::error()
        }
    }
}
