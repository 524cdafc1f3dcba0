//! The dashboards on both databases.
