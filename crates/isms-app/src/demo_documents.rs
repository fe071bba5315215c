//! Northwind documents for the demo.
