"""Finding, reading and checking .gbai packages (DIALECT.md §1). No database access here."""
