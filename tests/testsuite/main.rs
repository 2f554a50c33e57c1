//! The one integration-test binary: builds real sites in temporary folders,
//! in real git repositories, by running the real `redline` binary.

mod harness;

mod archive;
mod build;
mod errors;
mod history;
mod notify;
mod serve;
