//! perimeter_report
