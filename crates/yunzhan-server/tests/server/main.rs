//! The server's tests against the real server on loopback, in one test
//! binary (each binary would link the server once more).

mod api;
mod attention;
mod binary;
mod common;
mod config;
mod deals;
mod figures;
mod matching;
mod outbox_fault;
mod processes;
mod replicas;
mod text_view;
mod tls;
