//! The server's tests against the real server on loopback, in one test
//! binary (each binary would link the server once more).

mod api;
mod binary;
mod common;
mod outbox_fault;
mod text_view;
