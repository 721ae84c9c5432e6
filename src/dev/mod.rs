//! Developer tools: capture mode renders the documentation pictures and the
//! frame-time figures (`yunzhan --capture DIR`).

pub(crate) mod capture;
