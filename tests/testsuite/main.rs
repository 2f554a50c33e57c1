//! The one integration-test binary: builds real sites in temporary folders,
//! in real git repositories, by running the real `redline` binary (and its
//! library, where a test must see inside the preview server's rebuilds).

mod harness;

mod accessibility;
mod archive;
mod build;
mod cache;
mod check;
mod classify;
mod errors;
mod fidelity;
mod history;
mod i18n;
mod lineage;
mod log;
mod notices;
mod notify;
mod output;
mod publish;
mod record;
mod redline_page;
mod serve;
mod theme;
mod untrusted;
