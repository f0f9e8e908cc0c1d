//! The event-driven builder from saphyr-parser events to [`Node`] trees.

use std::sync::Arc;

use perimeter_diagnostics::SourceFile;

use super::{Node, ParseError};

pub(super) fn parse(_file: &Arc<SourceFile>) -> Result<Node, ParseError> {
    Err(ParseError { message: "not implemented".into(), offset: None })
}
