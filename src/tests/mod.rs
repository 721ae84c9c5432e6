//! The app's headless tests: the real feature plugins on `MinimalPlugins`
//! (no window, no GPU), in one test binary so that Bevy is linked once.

mod architecture;
mod budgets;
mod common;
mod controls;
mod counting;
mod expo;
mod kiosk;
mod links_and_quality;
mod panels;
mod platform;
mod preview;
mod regressions;
