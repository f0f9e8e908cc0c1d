//! TODO: sam_policies
