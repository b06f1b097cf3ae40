"""A study's export: its tables (tables.py), pseudonyms and shifted dates, the codebook, and
the writers for CSV and Parquet with a Frictionless Data package descriptor."""
