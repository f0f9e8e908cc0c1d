//! TODO: cfn
