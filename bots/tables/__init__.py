"""Bot tables: ``TABLE .. END TABLE`` definitions in tables.bas become real database tables,
read by FIND and written by SAVE, INSERT, UPDATE, DELETE and the three-argument SET."""
