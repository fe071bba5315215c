//! Northwind demo: how its controls are implemented (filled in below).
