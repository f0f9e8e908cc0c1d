//! TODO: discover
