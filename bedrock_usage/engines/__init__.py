"""Query engines that run the tracker's SQL: Athena for real accounts, DuckDB for local files."""
