//! Residential areas and organisations from files that users fill in.
