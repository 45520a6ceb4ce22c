//! End-to-end tests of the `authctl` binary (docs/cli.md): every command, every exit code.
//! One test binary; a module per command (and one for the argument forms).

mod accounts;
mod arguments;
mod asymmetric;
mod check_ip;
mod demo;
mod inspect;
mod jwks_url;
mod keys;
mod mint;
mod profile;
mod scopes;
mod support;
mod verify;
