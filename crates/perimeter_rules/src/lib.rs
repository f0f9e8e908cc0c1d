//! perimeter_rules
