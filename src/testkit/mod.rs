//! Fixture writer (test support, feature `testkit`): builds valid ESE files from parameters and
//! damages them on purpose.
