//! TODO: serverless
