"""Public pages of the catalog (being written)."""
