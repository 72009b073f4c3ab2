"""The Foundation's SQL, one module per table: statements as named constants, values as
parameters, rows read into the module's classes."""
